/**
 * Man pages in roff (man(7)), made from the same command specs as --help, so
 * the two cannot drift. Pure: text in, text out; src/gen-man.ts writes files.
 */
import { CONTAINER_KEYS, type KeyDoc, VOLUME_KEYS } from '../systemd/quadlet.js';
import { type CommandSpec, type OptionSpec, globalOptions, usageLine, walk } from './spec.js';

/**
 * Text safe for a roff text line. Every hyphen becomes \- so that options and
 * file names copy from the formatted page as the ASCII hyphen-minus a shell
 * needs; `code` spans become bold; a leading . or ' would start a request.
 */
export function escapeRoff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/`([^`]+)`/g, '\\fB$1\\fR')
    .replace(/^[.']/gm, '\\&$&');
}

const bold = (text: string): string => `\\fB${escapeRoff(text)}\\fR`;
const italic = (text: string): string => `\\fI${escapeRoff(text)}\\fR`;

/** tpod.1, tpod-system.1, tpod-system-migrate.1, ... */
export function pageName(path: readonly string[]): string {
  return ['tpod', ...path].join('-');
}

const ref = (name: string, section = 1): string => `${bold(name)}(${section})`;

function header(title: string, date: string, version: string, manSection = 1): string[] {
  // Quoted macro arguments cannot hold a plain ", and none of ours needs one.
  // No hyphenation or justification: words in a page are often commands to copy.
  return [`.TH ${escapeRoff(title.toUpperCase())} ${manSection} "${date}" "tpod ${version}" "tpod Manual"`, '.nh', '.ad l'];
}

function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim().replace(/\s*\n\s*/g, ' '))
    .filter((p) => p !== '')
    .flatMap((p, i) => (i === 0 ? [escapeRoff(p)] : ['.PP', escapeRoff(p)]));
}

function section(title: string, body: string[]): string[] {
  return body.length ? [`.SH ${title}`, ...body] : [];
}

/** The synopsis with the command words in bold and the placeholders in italics. */
function synopsisLine(path: readonly string[], spec: CommandSpec): string {
  const command = ['tpod', ...path].join(' ');
  const rest = usageLine(path, spec).slice(command.length);
  return bold(command) + escapeRoff(rest).replace(/[A-Z][A-Z_]*(?:\.\.\.)?/g, '\\fI$&\\fR');
}

function optionTag(o: OptionSpec): string {
  const names = [o.name, ...(o.alias ? [o.alias] : [])].map((n) => bold((n.length === 1 ? '-' : '--') + n));
  const value = o.type === 'boolean' ? '' : `=${italic(o.valueName ?? (o.type === 'number' ? 'NUMBER' : 'VALUE'))}`;
  return names.join(', ') + value;
}

function optionItems(options: readonly OptionSpec[]): string[] {
  return [...options]
    // Code-point order, not localeCompare: the pages must not depend on the locale that generates them.
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((o) => {
      const facts = [
        ...(o.choices ? [`choices: ${o.choices.map(bold).join(', ')}`] : []),
        ...(o.default !== undefined ? [`default: ${bold(String(o.default))}`] : []),
      ];
      return ['.TP', optionTag(o), escapeRoff(o.describe) + (facts.length ? ` (${facts.join('; ')})` : '')];
    });
}

function commandItems(path: readonly string[], specs: readonly CommandSpec[]): string[] {
  return specs
    .filter((s) => !s.hidden)
    .flatMap((s) => [
      '.TP',
      [s.name, ...(s.aliases ?? [])].map(bold).join(', '),
      `${escapeRoff(s.summary)} (${ref(pageName([...path, s.name]))})`,
    ]);
}

/** The page of one command; path is its words after tpod, e.g. ['system', 'migrate']. */
export function manPage(path: readonly string[], spec: CommandSpec, date: string, version: string): string {
  const name = pageName(path);
  const synopsis = [spec.name, ...(spec.aliases ?? [])].map((n) => synopsisLine([...path.slice(0, -1), n], spec));
  const lines = [
    ...header(name, date, version),
    ...section('NAME', [`${escapeRoff(name)} \\- ${escapeRoff(spec.summary)}`]),
    ...section('SYNOPSIS', synopsis.flatMap((s, i) => (i === 0 ? [s] : ['.br', s]))),
    ...section('DESCRIPTION', paragraphs(spec.description)),
    ...section(
      'ARGUMENTS',
      (spec.positionals ?? []).flatMap((p) => ['.TP', italic(p.name.toUpperCase()), escapeRoff(p.describe)]),
    ),
    ...section('OPTIONS', optionItems(spec.options ?? [])),
    ...section('COMMANDS', commandItems(path, spec.subcommands ?? [])),
    ...section('EXAMPLES', (spec.examples ?? []).flatMap((e) => ['.TP', bold(e.command), escapeRoff(e.describe)])),
    ...section('DIFFERENCES FROM PODMAN', paragraphs(spec.differences ?? '')),
    ...section('SEE ALSO', [
      ['tpod', ...(path.length > 1 ? [pageName(path.slice(0, -1))] : []), ...(spec.podmanPage === null ? [] : [spec.podmanPage ?? `podman-${path.join('-')}`])]
        .map((n) => ref(n))
        .join(', '),
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

const mainDescription = `tpod runs OCI containers as an ordinary user, with podman's command line: no root, no daemon and no setuid program of its own. Commands, options, output and exit codes follow podman's; where tpod differs on purpose, the command's page says so under DIFFERENCES FROM PODMAN.

The tpod command is a small native launcher. Its first call starts a pause process in a new user and mount namespace, mapped with newuidmap(1) and newgidmap(1) from /etc/subuid and /etc/subgid: your own uid becomes 0 there and your subordinate ids 1 and up. Every call joins the namespaces of that process and then runs Node.js on tpod's code, so all commands see the same mounts and ids. \`tpod unshare\` gives a shell there; \`tpod system migrate\` ends the pause process, and the next command creates a new one.

When /etc/subuid or /etc/subgid change, the next command builds a new namespace by itself, unless something still runs in the old one; then it says so and keeps it. A user with no subordinate range gets, as with podman, a namespace where only their own id is mapped, and a warning naming the usermod command that adds a range: images whose files belong to other ids cannot be used then. A missing newuidmap or newgidmap, one without setuid, or a kernel that allows no user namespaces is an error that names the fix.

Images, layers, containers and volumes are stored under $XDG_DATA_HOME/tpod (by default ~/.local/share/tpod). Runtime state, such as the pause process's pid and the locks, lives under $XDG_RUNTIME_DIR/tpod, or under /tmp/tpod-$UID when XDG_RUNTIME_DIR is not set or is not your directory (after su, for example); tpod uses such a directory only when you own it and nobody else can write to it. The configuration file is $XDG_CONFIG_HOME/tpod/tpod.conf (by default ~/.config/tpod/tpod.conf).`;

/** An item list from [term, text] pairs: the term already roff, the text plain. */
const items = (pairs: readonly (readonly [string, string])[]): string[] =>
  pairs.flatMap(([term, text]) => ['.TP', term, escapeRoff(text)]);

/** tpod(1): what tpod is, its global options and every command. */
export function mainPage(specs: readonly CommandSpec[], date: string, version: string): string {
  const lines = [
    ...header('tpod', date, version),
    ...section('NAME', ['tpod \\- rootless, daemonless container engine with a podman\\-compatible command line']),
    ...section('SYNOPSIS', [`${bold('tpod')} [\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARG\\fR...]`]),
    ...section('DESCRIPTION', paragraphs(mainDescription)),
    ...section('GLOBAL OPTIONS', [
      'These options are valid before and after the command name.',
      ...optionItems(globalOptions),
    ]),
    ...section('COMMANDS', commandItems([], specs)),
    ...section(
      'EXIT STATUS',
      items([
        ['\\fB125\\fR', 'tpod itself failed, for example on a wrong option or a missing image.'],
        ['\\fB126\\fR', 'The command to run in the container or namespace was found but cannot be invoked.'],
        ['\\fB127\\fR', 'The command to run in the container or namespace was not found.'],
        ['Any other', "The exit status of the container's or the command's own process."],
      ]),
    ),
    ...section(
      'ENVIRONMENT',
      items([
        [bold('TPOD_NODE'), 'The Node.js binary (>= 20.19) that the launcher execs; /usr/bin/node by default.'],
        [
          bold('XDG_RUNTIME_DIR'),
          'Parent of the run directory, tpod; /tmp/tpod-$UID is used when it is unset or not yours.',
        ],
        [bold('XDG_DATA_HOME'), 'Parent of the storage directory, tpod; ~/.local/share by default.'],
        [bold('XDG_CONFIG_HOME'), 'Parent of the configuration directory, tpod; ~/.config by default.'],
      ]),
    ),
    ...section(
      'FILES',
      items([
        [italic('$XDG_CONFIG_HOME/tpod/tpod.conf'), 'Configuration.'],
        [italic('$XDG_DATA_HOME/tpod/'), 'Images, layers, containers and volumes.'],
        [
          italic('$XDG_RUNTIME_DIR/tpod/'),
          'Runtime state: the pause process, locks; /tmp/tpod-$UID/ when XDG_RUNTIME_DIR is unset or not yours.',
        ],
        [
          `${italic('/etc/subuid')}, ${italic('/etc/subgid')}`,
          'Your subordinate ids, mapped into the user namespace as 1 and up.',
        ],
      ]),
    ),
    ...section('SEE ALSO', [
      [ref('podman'), ref('newuidmap'), ref('newgidmap'), ref('subuid', 5), ref('subgid', 5)].join(', '),
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

const unitDescription = `tpod's systemd user generator turns unit files that describe containers into user services, as podman's Quadlet does (podman-systemd.unit(5)): at every systemctl --user daemon-reload it reads each NAME.container and NAME.volume file and writes NAME.service and NAME-volume.service, which systemctl --user start, stop and status like any other. A [Install] section with WantedBy=default.target starts the service with your user manager (with loginctl enable-linger, at boot).

The files are read from $XDG_CONFIG_HOME/tpod/systemd/ (by default ~/.config/tpod/systemd/), then from Quadlet's directories: $XDG_RUNTIME_DIR/containers/systemd/, $XDG_CONFIG_HOME/containers/systemd/, /etc/containers/systemd/users/$UID/ and /etc/containers/systemd/users/; of two files with one name the first found wins. When podman's own user generator is installed, tpod's reads only ~/.config/tpod/systemd/, since both would write the same service names. Drop-ins in NAME.container.d/, in the directories of the name's dash-separated prefixes (foo-.container.d/ for foo-bar.container) and in container.d/ (*.conf, in name order) add to a file as systemd's do.

The syntax is systemd's (systemd.syntax(7)): repeated keys add to a list and an empty assignment clears it; a line ending in a backslash continues on the next. [Unit], [Service], [Install] and other sections are copied into the service. The [Container] section becomes a tpod run --name NAME --replace --rm --cgroups=split --sdnotify=conmon -d ... IMAGE command in a Type=notify service with NotifyAccess=all, KillMode=mixed, Delegate=yes and SyslogIdentifier=%N, stopped with tpod rm -v -f -i NAME; a [Service] Type=oneshot runs the container in the foreground instead. The [Volume] section becomes a oneshot service running tpod volume create --ignore NAME.

The generator is installed by install.sh as /usr/local/lib/systemd/user-generators/tpod-user-generator. Run it by hand with -dryrun to see what it would write, and the warnings: tpod-user-generator -dryrun.`;

const unitDifferences = `Quadlet refuses a file with a key it does not know; tpod warns (on stderr, which the journal of your user manager keeps) and leaves the key out, and does the same for Quadlet keys that tpod has no option for (HealthCmd and the other health checks, Pod, Secret, Memory, Sysctl, Timezone, ...). .network, .kube, .image, .build, .pod and .artifact files are not supported. Network= takes none, host, pasta or slirp4netns only. The services need tpod run's --sdnotify and --cgroups options. The [Unit] of a service gets no dependency on podman-user-wait-network-online.service, and [Service] no PODMAN_SYSTEMD_UNIT. Subdirectories of the search directories are not read. Generated containers keep their output in the k8s-file log read by tpod logs unless LogDriver=journald, which sends it to the journal, where journalctl --user -u NAME shows it.`;

const keyItems = (keys: readonly KeyDoc[]): string[] => keys.flatMap((k) => ['.TP', bold(`${k.key}=`), escapeRoff(k.describe)]);

/** tpod-systemd.unit(5): the unit files tpod's generator reads, from the same key lists the generator uses. */
export function systemdUnitPage(date: string, version: string): string {
  const lines = [
    ...header('tpod-systemd.unit', date, version, 5),
    ...section('NAME', ['tpod\-systemd.unit \- containers and volumes as systemd user services']),
    ...section('SYNOPSIS', [`${italic('NAME')}.container, ${italic('NAME')}.volume`]),
    ...section('DESCRIPTION', paragraphs(unitDescription)),
    ...section('[Container] KEYS', keyItems(CONTAINER_KEYS)),
    ...section('[Volume] KEYS', keyItems(VOLUME_KEYS)),
    ...section('EXAMPLE', [
      '.nf',
      ...['# ~/.config/tpod/systemd/web.container', '[Container]', 'Image=docker.io/library/nginx', 'PublishPort=8080:80', 'Volume=data.volume:/usr/share/nginx/html', '', '[Service]', 'Restart=on-failure', '', '[Install]', 'WantedBy=default.target'].map(escapeRoff),
      '.fi',
    ]),
    ...section('DIFFERENCES FROM PODMAN', paragraphs(unitDifferences)),
    ...section('SEE ALSO', [[ref('tpod-run'), ref('tpod-generate-systemd'), ref('podman-systemd.unit', 5), ref('systemd.unit', 5), ref('systemd.generator', 7)].join(', ')]),
  ];
  return `${lines.join('\n')}\n`;
}

/** tpod.1 and one page for every visible command, as files to write into man/. */
export function allPages(
  specs: readonly CommandSpec[],
  date: string,
  version: string,
): { file: string; text: string }[] {
  return [
    { file: 'tpod.1', text: mainPage(specs, date, version) },
    { file: 'tpod-systemd.unit.5', text: systemdUnitPage(date, version) },
    ...walk(specs).map(({ path, spec }) => ({
      file: `${pageName(path)}.1`,
      text: manPage(path, spec, date, version),
    })),
  ];
}
