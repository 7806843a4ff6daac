# fish completion for tpod. Install it as ~/.config/fish/completions/tpod.fish.
# The words come from `tpod __complete WORDS... CURRENT`: candidates one a
# line, then :DIRECTIVE.
function __tpod_complete
    set -l cur (commandline -ct)
    # The words after tpod, then the one under the cursor (maybe empty).
    set -l out (tpod __complete (commandline -opc)[2..-1] "$cur" 2>/dev/null)
    # In --name=value only the value is a path or a command; fish wants whole tokens back.
    set -l flag (string match -r -- '^-[^=]*=' $cur)
    set -l value (string replace -- "$flag" '' $cur)
    switch "$out[-1]"
        case :files
            printf '%s\n' "$flag"(__fish_complete_path $value)
        case :directories
            printf '%s\n' "$flag"(__fish_complete_directories $value)
        case :commands
            printf '%s\n' "$flag"(__fish_complete_command $value)
        case ':*'
            printf '%s\n' $out[1..-2]
    end
end

# -f: no file names unless __complete asks for them.
complete -c tpod -f -a '(__tpod_complete)'
