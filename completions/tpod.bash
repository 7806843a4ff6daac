# bash completion for tpod. Source it, or install it as
# /usr/share/bash-completion/completions/tpod. The words come from
# `tpod __complete WORDS... CURRENT`: candidates one a line, then :DIRECTIVE.
_tpod() {
    local line=${COMP_LINE:0:COMP_POINT} words out directive cur pre brk
    # Split the line ourselves: COMP_WORDS breaks --log-level=debug at the '='.
    read -ra words <<<"$line"
    [[ $line =~ [[:space:]]$ ]] && words+=('')
    mapfile -t out < <(tpod __complete "${words[@]:1}" 2>/dev/null)
    directive=${out[*]: -1}
    [[ $directive == :* ]] || return 0 # tpod failed: offer nothing
    out=("${out[@]:0:${#out[@]}-1}")

    # Readline replaces only the text after the last word-break character
    # (= and : by default), so drop what precedes it from what we hand back.
    cur=${words[-1]}
    brk=${COMP_WORDBREAKS//[^=:]/}
    pre=
    [[ -n $brk ]] && pre=${cur%"${cur##*[$brk]}"}
    cur=${cur#"$pre"}
    # compopt fails outside a real completion (as in the tests); it only adds slashes and quoting.
    case $directive in
    :files) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    :directories) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    :commands) mapfile -t COMPREPLY < <(compgen -c -- "$cur") ;;
    *) COMPREPLY=("${out[@]#"$pre"}") ;;
    esac
}
complete -F _tpod tpod
