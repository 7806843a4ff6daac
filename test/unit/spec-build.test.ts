/**
 * Whole OCI specs for typical runs. Compared by hand with the config.json podman 4.3 writes for
 * the same options (rootless, --rootfs); the differences are tpod's on purpose (see src/spec/).
 */
import { describe, expect, it } from 'vitest';
import { buildSpec, keepIdEtc, type BuildInput, type HostFacts, type ImageRunConfig, type NetworkNamespace, type RunOptions } from '../../src/spec/build.js';
import { parseEntrypoint } from '../../src/spec/command.js';
import { parseTmpfsSpec, parseVolumeSpec } from '../../src/spec/mounts.js';
import type { SeccompProfile } from '../../src/spec/seccomp.js';
import { keepId } from '../../src/spec/userns.js';

const ID = `f00dfeedcafe${'0'.repeat(52)}`;
const RUN = `/run/user/1000/tpod/containers/${ID}`;

const image: ImageRunConfig = {
  Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8'],
  Cmd: ['/bin/sh'],
};

const etc = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
  group: 'root:x:0:root\nwheel:x:10:root\napp:x:1000:\n',
};

const seccompProfile: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
  syscalls: [
    { names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' },
    { names: ['mount', 'umount2'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
  ],
};

const host: HostFacts = {
  env: { PATH: '/usr/bin:/bin', HOME: '/home/dev', LANG: 'en_GB.UTF-8' },
  hostname: 'devbox',
  arch: 'amd64',
  cgroupV2: true,
  gidCount: 65537,
  limits: { nofile: { soft: 1024, hard: 524288 }, nproc: { soft: 62811, hard: Number.POSITIVE_INFINITY } },
  devices: ['/dev/fuse', '/dev/null', '/dev/ptmx', '/dev/tty', '/dev/tty1', '/dev/ttyS0'],
  maskedPaths: ['/sys/devices/system/cpu/cpu0/thermal_throttle'],
  seccompProfile,
};

const PRIVATE: NetworkNamespace = { mode: 'private', path: '/run/user/1000/netns/tpod-f00dfeedcafe' };

function input(options: RunOptions, more: Partial<BuildInput> = {}): BuildInput {
  return {
    id: ID,
    rootfs: `/home/dev/.local/share/tpod/overlay/${ID}/merged`,
    image,
    etc,
    options,
    network: PRIVATE,
    files: { resolvConf: `${RUN}/resolv.conf`, hosts: `${RUN}/hosts`, hostname: `${RUN}/hostname`, containerEnv: `${RUN}/.containerenv` },
    host,
    ...more,
  };
}

const spec = (options: RunOptions, more?: Partial<BuildInput>) => buildSpec(input(options, more));

describe('buildSpec', () => {
  it('runs the image Cmd as root, with podman defaults', () => {
    expect(spec({})).toMatchInlineSnapshot(`
      {
        "hostname": "f00dfeedcafe",
        "linux": {
          "maskedPaths": [
            "/proc/acpi",
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/sched_debug",
            "/proc/scsi",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/sys/devices/virtual/powercap",
            "/sys/firmware",
            "/sys/fs/selinux",
            "/proc/interrupts",
            "/sys/devices/system/cpu/cpu0/thermal_throttle",
          ],
          "namespaces": [
            {
              "type": "pid",
            },
            {
              "path": "/run/user/1000/netns/tpod-f00dfeedcafe",
              "type": "network",
            },
            {
              "type": "ipc",
            },
            {
              "type": "uts",
            },
            {
              "type": "mount",
            },
            {
              "type": "cgroup",
            },
          ],
          "readonlyPaths": [
            "/proc/asound",
            "/proc/bus",
            "/proc/fs",
            "/proc/irq",
            "/proc/sys",
            "/proc/sysrq-trigger",
          ],
          "seccomp": {
            "architectures": [
              "SCMP_ARCH_X86_64",
              "SCMP_ARCH_X86",
              "SCMP_ARCH_X32",
            ],
            "defaultAction": "SCMP_ACT_ERRNO",
            "defaultErrnoRet": 38,
            "syscalls": [
              {
                "action": "SCMP_ACT_ALLOW",
                "names": [
                  "read",
                  "write",
                  "exit_group",
                ],
              },
            ],
          },
          "sysctl": {
            "net.ipv4.ping_group_range": "0 0",
          },
        },
        "mounts": [
          {
            "destination": "/proc",
            "options": [
              "nosuid",
              "noexec",
              "nodev",
            ],
            "source": "proc",
            "type": "proc",
          },
          {
            "destination": "/dev",
            "options": [
              "nosuid",
              "strictatime",
              "mode=755",
              "size=65536k",
            ],
            "source": "tmpfs",
            "type": "tmpfs",
          },
          {
            "destination": "/sys",
            "options": [
              "nosuid",
              "noexec",
              "nodev",
              "ro",
            ],
            "source": "sysfs",
            "type": "sysfs",
          },
          {
            "destination": "/dev/pts",
            "options": [
              "nosuid",
              "noexec",
              "newinstance",
              "ptmxmode=0666",
              "mode=0620",
              "gid=5",
            ],
            "source": "devpts",
            "type": "devpts",
          },
          {
            "destination": "/dev/mqueue",
            "options": [
              "nosuid",
              "noexec",
              "nodev",
            ],
            "source": "mqueue",
            "type": "mqueue",
          },
          {
            "destination": "/dev/shm",
            "options": [
              "nosuid",
              "noexec",
              "nodev",
              "mode=1777",
              "size=65536k",
            ],
            "source": "shm",
            "type": "tmpfs",
          },
          {
            "destination": "/etc/resolv.conf",
            "options": [
              "bind",
              "rprivate",
            ],
            "source": "/run/user/1000/tpod/containers/f00dfeedcafe0000000000000000000000000000000000000000000000000000/resolv.conf",
            "type": "bind",
          },
          {
            "destination": "/etc/hosts",
            "options": [
              "bind",
              "rprivate",
            ],
            "source": "/run/user/1000/tpod/containers/f00dfeedcafe0000000000000000000000000000000000000000000000000000/hosts",
            "type": "bind",
          },
          {
            "destination": "/etc/hostname",
            "options": [
              "bind",
              "rprivate",
            ],
            "source": "/run/user/1000/tpod/containers/f00dfeedcafe0000000000000000000000000000000000000000000000000000/hostname",
            "type": "bind",
          },
          {
            "destination": "/run/.containerenv",
            "options": [
              "bind",
              "rprivate",
            ],
            "source": "/run/user/1000/tpod/containers/f00dfeedcafe0000000000000000000000000000000000000000000000000000/.containerenv",
            "type": "bind",
          },
          {
            "destination": "/sys/fs/cgroup",
            "options": [
              "rprivate",
              "nosuid",
              "noexec",
              "nodev",
              "relatime",
              "ro",
            ],
            "source": "cgroup",
            "type": "cgroup",
          },
        ],
        "ociVersion": "1.0.2-dev",
        "process": {
          "args": [
            "/bin/sh",
          ],
          "capabilities": {
            "bounding": [
              "CAP_CHOWN",
              "CAP_DAC_OVERRIDE",
              "CAP_FOWNER",
              "CAP_FSETID",
              "CAP_KILL",
              "CAP_NET_BIND_SERVICE",
              "CAP_SETFCAP",
              "CAP_SETGID",
              "CAP_SETPCAP",
              "CAP_SETUID",
              "CAP_SYS_CHROOT",
            ],
            "effective": [
              "CAP_CHOWN",
              "CAP_DAC_OVERRIDE",
              "CAP_FOWNER",
              "CAP_FSETID",
              "CAP_KILL",
              "CAP_NET_BIND_SERVICE",
              "CAP_SETFCAP",
              "CAP_SETGID",
              "CAP_SETPCAP",
              "CAP_SETUID",
              "CAP_SYS_CHROOT",
            ],
            "permitted": [
              "CAP_CHOWN",
              "CAP_DAC_OVERRIDE",
              "CAP_FOWNER",
              "CAP_FSETID",
              "CAP_KILL",
              "CAP_NET_BIND_SERVICE",
              "CAP_SETFCAP",
              "CAP_SETGID",
              "CAP_SETPCAP",
              "CAP_SETUID",
              "CAP_SYS_CHROOT",
            ],
          },
          "cwd": "/",
          "env": [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "container=tpod",
            "LANG=C.UTF-8",
            "HOSTNAME=f00dfeedcafe",
            "HOME=/root",
          ],
          "rlimits": [
            {
              "hard": 524288,
              "soft": 524288,
              "type": "RLIMIT_NOFILE",
            },
            {
              "hard": 1048576,
              "soft": 62811,
              "type": "RLIMIT_NPROC",
            },
          ],
          "user": {
            "additionalGids": [
              0,
              10,
            ],
            "gid": 0,
            "uid": 0,
            "umask": 18,
          },
        },
        "root": {
          "path": "/home/dev/.local/share/tpod/overlay/f00dfeedcafe0000000000000000000000000000000000000000000000000000/merged",
        },
      }
    `);
  });

  it('runs --entrypoint with the given command, not the image Cmd', () => {
    const s = spec({ entrypoint: parseEntrypoint('["/usr/bin/env", "-i"]'), command: ['sh', '-c', 'id'] });
    expect(s.process.args).toMatchInlineSnapshot(`
      [
        "/usr/bin/env",
        "-i",
        "sh",
        "-c",
        "id",
      ]
    `);
    expect(spec({ entrypoint: parseEntrypoint('/bin/busybox') }).process.args).toEqual(['/bin/busybox']);
    expect(spec({ entrypoint: parseEntrypoint(''), command: ['id'] }).process.args).toEqual(['id']);
    expect(() => spec({ entrypoint: parseEntrypoint('') })).toThrow("no command to run: --entrypoint '' cleared the image's; give one after the image name");
    expect(spec({ command: ['ls', '-l'] }, { image: { Entrypoint: ['/init'], Cmd: ['serve'] } }).process.args).toEqual(['/init', 'ls', '-l']);
  });

  it('runs -u 1000:1000 -w /srv -e A=1 --read-only --network none', () => {
    // Without a network there is no DNS: podman writes no resolv.conf then.
    const files = { hosts: `${RUN}/hosts`, hostname: `${RUN}/hostname`, containerEnv: `${RUN}/.containerenv` };
    const options = { user: '1000:1000', workdir: '/srv', env: ['A=1'], readOnly: true };
    expect(spec(options, { network: { mode: 'none' }, files })).toMatchInlineSnapshot(`
      {
        "hostname": "f00dfeedcafe",
        "linux": {
          "maskedPaths": [
            "/proc/acpi",
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/sched_debug",
            "/proc/scsi",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/sys/devices/virtual/powercap",
            "/sys/firmware",
            "/sys/fs/selinux",
            "/proc/interrupts",
            "/sys/devices/system/cpu/cpu0/thermal_throttle",
          ],
          "namespaces": [
            {
              "type": "pid",
            },
            {
              "type": "network",
            },
            {
              "type": "ipc",
            },
            {
              "type": "uts",
            },
            {
              "type": "mount",
            },
            {
              "type": "cgroup",
            },
          ],
          "readonlyPaths": [
            "/proc/asound",
            "/proc/bus",
            "/proc/fs",
            "/proc/irq",
            "/proc/sys",
            "/proc/sysrq-trigger",
          ],
          "seccomp": {
            "architectures": [
              "SCMP_ARCH_X86_64",
              "SCMP_ARCH_X86",
              "SCMP_ARCH_X32",
            ],
            "defaultAction": "SCMP_ACT_ERRNO",
            "defaultErrnoRet": 38,
            "syscalls": [
              {
                "action": "SCMP_ACT_ALLOW",
                "names": [
                  "read",
                  "write",
                  "exit_group",
                ],
              },
            ],
          },
          "sysctl": {
            "net.ipv4.ping_group_range": "0 0",
          },
        },
        "mounts": [
          {
            "destination": "/proc",
            "options": [
              "nosuid",
              "noexec",
              "nodev",
            ],
            "source": "proc",
            "type": "proc",
          },
          {
            "destination": "/dev",
            "options": [
              "nosuid",
              "strictatime",
              "mode=755",
              "size=65536k",
            ],
            "source": "tmpfs",
            "type": "tmpfs",
          },
          {
            "destination": "/sys",
            "options": [
              "nosuid",
              "noexec",
              "nodev",
              "ro",
            ],
            "source": "sysfs",
            "type": "sysfs",
          },
          {
            "destination": "/run",
            "options": [
              "rw",
              "rprivate",
              "nosuid",
              "nodev",
              "tmpcopyup",
            ],
            "source": "tmpfs",
            "type": "tmpfs",
          },
          {
            "destination": "/tmp",
            "options": [
              "rw",
              "rprivate",
              "nosuid",
              "nodev",
              "tmpcopyup",
            ],
            "source": "tmpfs",
            "type": "tmpfs",
          },
          {
            "destination": "/dev/pts",
            "options": [
              "nosuid",
              "noexec",
              "newinstance",
              "ptmxmode=0666",
              "mode=0620",
              "gid=5",
            ],
            "source": "devpts",
            "type": "devpts",
          },
          {
            "destination": "/dev/mqueue",
            "options": [
              "nosuid",
              "noexec",
              "nodev",
            ],
            "source": "mqueue",
            "type": "mqueue",
          },
          {
            "destination": "/dev/shm",
            "options": [
              "nosuid",
              "noexec",
              "nodev",
              "mode=1777",
              "size=65536k",
            ],
            "source": "shm",
            "type": "tmpfs",
          },
          {
            "destination": "/etc/hosts",
            "options": [
              "bind",
              "rprivate",
              "ro",
              "nosuid",
              "noexec",
              "nodev",
            ],
            "source": "/run/user/1000/tpod/containers/f00dfeedcafe0000000000000000000000000000000000000000000000000000/hosts",
            "type": "bind",
          },
          {
            "destination": "/etc/hostname",
            "options": [
              "bind",
              "rprivate",
              "ro",
              "nosuid",
              "noexec",
              "nodev",
            ],
            "source": "/run/user/1000/tpod/containers/f00dfeedcafe0000000000000000000000000000000000000000000000000000/hostname",
            "type": "bind",
          },
          {
            "destination": "/run/.containerenv",
            "options": [
              "bind",
              "rprivate",
              "ro",
              "nosuid",
              "noexec",
              "nodev",
            ],
            "source": "/run/user/1000/tpod/containers/f00dfeedcafe0000000000000000000000000000000000000000000000000000/.containerenv",
            "type": "bind",
          },
          {
            "destination": "/var/tmp",
            "options": [
              "rw",
              "rprivate",
              "nosuid",
              "nodev",
              "tmpcopyup",
            ],
            "source": "tmpfs",
            "type": "tmpfs",
          },
          {
            "destination": "/sys/fs/cgroup",
            "options": [
              "rprivate",
              "nosuid",
              "noexec",
              "nodev",
              "relatime",
              "ro",
            ],
            "source": "cgroup",
            "type": "cgroup",
          },
        ],
        "ociVersion": "1.0.2-dev",
        "process": {
          "args": [
            "/bin/sh",
          ],
          "capabilities": {
            "bounding": [
              "CAP_CHOWN",
              "CAP_DAC_OVERRIDE",
              "CAP_FOWNER",
              "CAP_FSETID",
              "CAP_KILL",
              "CAP_NET_BIND_SERVICE",
              "CAP_SETFCAP",
              "CAP_SETGID",
              "CAP_SETPCAP",
              "CAP_SETUID",
              "CAP_SYS_CHROOT",
            ],
          },
          "cwd": "/srv",
          "env": [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "container=tpod",
            "LANG=C.UTF-8",
            "A=1",
            "HOSTNAME=f00dfeedcafe",
            "HOME=/home/app",
          ],
          "rlimits": [
            {
              "hard": 524288,
              "soft": 524288,
              "type": "RLIMIT_NOFILE",
            },
            {
              "hard": 1048576,
              "soft": 62811,
              "type": "RLIMIT_NPROC",
            },
          ],
          "user": {
            "additionalGids": [
              1000,
            ],
            "gid": 1000,
            "uid": 1000,
            "umask": 18,
          },
        },
        "root": {
          "path": "/home/dev/.local/share/tpod/overlay/f00dfeedcafe0000000000000000000000000000000000000000000000000000/merged",
          "readonly": true,
        },
      }
    `);
  });

  it('runs --privileged', () => {
    expect(spec({ privileged: true, tty: true })).toMatchInlineSnapshot(`
      {
        "hostname": "f00dfeedcafe",
        "linux": {
          "namespaces": [
            {
              "type": "pid",
            },
            {
              "path": "/run/user/1000/netns/tpod-f00dfeedcafe",
              "type": "network",
            },
            {
              "type": "ipc",
            },
            {
              "type": "uts",
            },
            {
              "type": "mount",
            },
            {
              "type": "cgroup",
            },
          ],
          "rootfsPropagation": "rslave",
          "sysctl": {
            "net.ipv4.ping_group_range": "0 0",
          },
        },
        "mounts": [
          {
            "destination": "/proc",
            "options": [
              "nosuid",
              "noexec",
              "nodev",
            ],
            "source": "proc",
            "type": "proc",
          },
          {
            "destination": "/dev",
            "options": [
              "nosuid",
              "strictatime",
              "mode=755",
              "size=65536k",
            ],
            "source": "tmpfs",
            "type": "tmpfs",
          },
          {
            "destination": "/sys",
            "options": [
              "rprivate",
              "nosuid",
              "noexec",
              "nodev",
              "rw",
            ],
            "source": "sysfs",
            "type": "sysfs",
          },
          {
            "destination": "/dev/fuse",
            "options": [
              "slave",
              "nosuid",
              "noexec",
              "rw",
              "rbind",
            ],
            "source": "/dev/fuse",
            "type": "bind",
          },
          {
            "destination": "/dev/null",
            "options": [
              "slave",
              "nosuid",
              "noexec",
              "rw",
              "rbind",
            ],
            "source": "/dev/null",
            "type": "bind",
          },
          {
            "destination": "/dev/ttyS0",
            "options": [
              "slave",
              "nosuid",
              "noexec",
              "rw",
              "rbind",
            ],
            "source": "/dev/ttyS0",
            "type": "bind",
          },
          {
            "destination": "/dev/pts",
            "options": [
              "nosuid",
              "noexec",
              "newinstance",
              "ptmxmode=0666",
              "mode=0620",
              "gid=5",
            ],
            "source": "devpts",
            "type": "devpts",
          },
          {
            "destination": "/dev/mqueue",
            "options": [
              "nosuid",
              "noexec",
              "nodev",
            ],
            "source": "mqueue",
            "type": "mqueue",
          },
          {
            "destination": "/dev/shm",
            "options": [
              "nosuid",
              "noexec",
              "nodev",
              "mode=1777",
              "size=65536k",
            ],
            "source": "shm",
            "type": "tmpfs",
          },
          {
            "destination": "/etc/resolv.conf",
            "options": [
              "bind",
              "rprivate",
            ],
            "source": "/run/user/1000/tpod/containers/f00dfeedcafe0000000000000000000000000000000000000000000000000000/resolv.conf",
            "type": "bind",
          },
          {
            "destination": "/etc/hosts",
            "options": [
              "bind",
              "rprivate",
            ],
            "source": "/run/user/1000/tpod/containers/f00dfeedcafe0000000000000000000000000000000000000000000000000000/hosts",
            "type": "bind",
          },
          {
            "destination": "/etc/hostname",
            "options": [
              "bind",
              "rprivate",
            ],
            "source": "/run/user/1000/tpod/containers/f00dfeedcafe0000000000000000000000000000000000000000000000000000/hostname",
            "type": "bind",
          },
          {
            "destination": "/run/.containerenv",
            "options": [
              "bind",
              "rprivate",
            ],
            "source": "/run/user/1000/tpod/containers/f00dfeedcafe0000000000000000000000000000000000000000000000000000/.containerenv",
            "type": "bind",
          },
          {
            "destination": "/sys/fs/cgroup",
            "options": [
              "rprivate",
              "nosuid",
              "noexec",
              "nodev",
              "relatime",
              "rw",
            ],
            "source": "cgroup",
            "type": "cgroup",
          },
        ],
        "ociVersion": "1.0.2-dev",
        "process": {
          "args": [
            "/bin/sh",
          ],
          "capabilities": {
            "bounding": [
              "CAP_AUDIT_CONTROL",
              "CAP_AUDIT_READ",
              "CAP_AUDIT_WRITE",
              "CAP_BLOCK_SUSPEND",
              "CAP_BPF",
              "CAP_CHECKPOINT_RESTORE",
              "CAP_CHOWN",
              "CAP_DAC_OVERRIDE",
              "CAP_DAC_READ_SEARCH",
              "CAP_FOWNER",
              "CAP_FSETID",
              "CAP_IPC_LOCK",
              "CAP_IPC_OWNER",
              "CAP_KILL",
              "CAP_LEASE",
              "CAP_LINUX_IMMUTABLE",
              "CAP_MAC_ADMIN",
              "CAP_MAC_OVERRIDE",
              "CAP_MKNOD",
              "CAP_NET_ADMIN",
              "CAP_NET_BIND_SERVICE",
              "CAP_NET_BROADCAST",
              "CAP_NET_RAW",
              "CAP_PERFMON",
              "CAP_SETFCAP",
              "CAP_SETGID",
              "CAP_SETPCAP",
              "CAP_SETUID",
              "CAP_SYSLOG",
              "CAP_SYS_ADMIN",
              "CAP_SYS_BOOT",
              "CAP_SYS_CHROOT",
              "CAP_SYS_MODULE",
              "CAP_SYS_NICE",
              "CAP_SYS_PACCT",
              "CAP_SYS_PTRACE",
              "CAP_SYS_RAWIO",
              "CAP_SYS_RESOURCE",
              "CAP_SYS_TIME",
              "CAP_SYS_TTY_CONFIG",
              "CAP_WAKE_ALARM",
            ],
            "effective": [
              "CAP_AUDIT_CONTROL",
              "CAP_AUDIT_READ",
              "CAP_AUDIT_WRITE",
              "CAP_BLOCK_SUSPEND",
              "CAP_BPF",
              "CAP_CHECKPOINT_RESTORE",
              "CAP_CHOWN",
              "CAP_DAC_OVERRIDE",
              "CAP_DAC_READ_SEARCH",
              "CAP_FOWNER",
              "CAP_FSETID",
              "CAP_IPC_LOCK",
              "CAP_IPC_OWNER",
              "CAP_KILL",
              "CAP_LEASE",
              "CAP_LINUX_IMMUTABLE",
              "CAP_MAC_ADMIN",
              "CAP_MAC_OVERRIDE",
              "CAP_MKNOD",
              "CAP_NET_ADMIN",
              "CAP_NET_BIND_SERVICE",
              "CAP_NET_BROADCAST",
              "CAP_NET_RAW",
              "CAP_PERFMON",
              "CAP_SETFCAP",
              "CAP_SETGID",
              "CAP_SETPCAP",
              "CAP_SETUID",
              "CAP_SYSLOG",
              "CAP_SYS_ADMIN",
              "CAP_SYS_BOOT",
              "CAP_SYS_CHROOT",
              "CAP_SYS_MODULE",
              "CAP_SYS_NICE",
              "CAP_SYS_PACCT",
              "CAP_SYS_PTRACE",
              "CAP_SYS_RAWIO",
              "CAP_SYS_RESOURCE",
              "CAP_SYS_TIME",
              "CAP_SYS_TTY_CONFIG",
              "CAP_WAKE_ALARM",
            ],
            "permitted": [
              "CAP_AUDIT_CONTROL",
              "CAP_AUDIT_READ",
              "CAP_AUDIT_WRITE",
              "CAP_BLOCK_SUSPEND",
              "CAP_BPF",
              "CAP_CHECKPOINT_RESTORE",
              "CAP_CHOWN",
              "CAP_DAC_OVERRIDE",
              "CAP_DAC_READ_SEARCH",
              "CAP_FOWNER",
              "CAP_FSETID",
              "CAP_IPC_LOCK",
              "CAP_IPC_OWNER",
              "CAP_KILL",
              "CAP_LEASE",
              "CAP_LINUX_IMMUTABLE",
              "CAP_MAC_ADMIN",
              "CAP_MAC_OVERRIDE",
              "CAP_MKNOD",
              "CAP_NET_ADMIN",
              "CAP_NET_BIND_SERVICE",
              "CAP_NET_BROADCAST",
              "CAP_NET_RAW",
              "CAP_PERFMON",
              "CAP_SETFCAP",
              "CAP_SETGID",
              "CAP_SETPCAP",
              "CAP_SETUID",
              "CAP_SYSLOG",
              "CAP_SYS_ADMIN",
              "CAP_SYS_BOOT",
              "CAP_SYS_CHROOT",
              "CAP_SYS_MODULE",
              "CAP_SYS_NICE",
              "CAP_SYS_PACCT",
              "CAP_SYS_PTRACE",
              "CAP_SYS_RAWIO",
              "CAP_SYS_RESOURCE",
              "CAP_SYS_TIME",
              "CAP_SYS_TTY_CONFIG",
              "CAP_WAKE_ALARM",
            ],
          },
          "cwd": "/",
          "env": [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "container=tpod",
            "LANG=C.UTF-8",
            "TERM=xterm",
            "HOSTNAME=f00dfeedcafe",
            "HOME=/root",
          ],
          "rlimits": [
            {
              "hard": 524288,
              "soft": 524288,
              "type": "RLIMIT_NOFILE",
            },
            {
              "hard": 1048576,
              "soft": 62811,
              "type": "RLIMIT_NPROC",
            },
          ],
          "terminal": true,
          "user": {
            "additionalGids": [
              0,
              10,
            ],
            "gid": 0,
            "uid": 0,
            "umask": 18,
          },
        },
        "root": {
          "path": "/home/dev/.local/share/tpod/overlay/f00dfeedcafe0000000000000000000000000000000000000000000000000000/merged",
        },
      }
    `);
  });
});

describe('buildSpec details', () => {
  const mount = (s: ReturnType<typeof spec>, destination: string) => s.mounts.find((m) => m.destination === destination);

  it('lets a user mount replace a default one, and a user /dev replace all of /dev', () => {
    const hosts = parseVolumeSpec('/home/dev/hosts:/etc/hosts:ro', '/');
    expect(mount(spec({ mounts: [hosts] }), '/etc/hosts')).toEqual({
      destination: '/etc/hosts', type: 'bind', source: '/home/dev/hosts', options: ['ro', 'rprivate', 'rbind'],
    });
    const dev = spec({ mounts: [parseVolumeSpec('/dev:/dev', '/')] });
    expect(dev.mounts.filter((m) => m.destination.startsWith('/dev')).map((m) => m.destination)).toEqual(['/dev']);
  });

  it('refuses two mounts on one destination, --init included', () => {
    const tmp = parseTmpfsSpec('/data');
    expect(() => spec({ mounts: [tmp, parseVolumeSpec('/x:/data', '/')] })).toThrow('/data: duplicate mount destination');
    expect(() => spec({ init: '/usr/bin/catatonit', mounts: [parseTmpfsSpec('/run/tpod-init')] })).toThrow('/run/tpod-init: duplicate mount destination');
  });

  it('mounts --init read-only and runs the command under it', () => {
    const s = spec({ init: '/usr/bin/catatonit' });
    expect(s.process.args).toEqual(['/run/tpod-init', '--', '/bin/sh']);
    expect(mount(s, '/run/tpod-init')).toEqual({ destination: '/run/tpod-init', type: 'bind', source: '/usr/bin/catatonit', options: ['bind', 'rprivate', 'ro'] });
  });

  it("shares the host's network: its hostname, its /sys bound, /sys/kernel masked, no ping sysctl", () => {
    const s = spec({}, { network: { mode: 'host' } });
    expect(s.hostname).toBe('devbox');
    expect(s.process.env).toContain('HOSTNAME=devbox');
    expect(s.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'cgroup']);
    expect(mount(s, '/sys')).toEqual({ destination: '/sys', type: 'bind', source: '/sys', options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'ro', 'rbind'] });
    expect(s.linux.maskedPaths).toContain('/sys/kernel');
    expect(s.linux).not.toHaveProperty('sysctl');
  });

  it('takes --hostname, and leaves HOSTNAME and HOME alone when given', () => {
    const s = spec({ hostname: 'web', env: ['HOME=/data'] });
    expect(s.hostname).toBe('web');
    expect(s.process.env).toEqual(expect.arrayContaining(['HOSTNAME=web', 'HOME=/data']));
    expect(spec({ env: ['HOSTNAME=x'] }).process.env).toContain('HOSTNAME=x');
  });

  it('gives a uid without a passwd entry the working directory as home', () => {
    expect(spec({ user: '4242', workdir: '/work' }).process.env).toContain('HOME=/work');
    expect(spec({ user: 'app' }).process.env).toContain('HOME=/home/app');
  });

  it("takes the image's User and WorkingDir, and lets -u and -w override them", () => {
    const s = spec({}, { image: { ...image, User: 'app', WorkingDir: '/home/app' } });
    expect(s.process.user).toEqual({ uid: 1000, gid: 1000, umask: 0o022, additionalGids: [1000] });
    expect(s.process.cwd).toBe('/home/app');
    expect(spec({ user: 'root', workdir: '/' }, { image: { ...image, User: 'app', WorkingDir: '/home/app' } }).process).toMatchObject({
      user: { uid: 0, gid: 0 },
      cwd: '/',
    });
    expect(() => spec({ workdir: 'srv' })).toThrow('invalid workdir "srv": it must be an absolute path');
  });

  it('sets TERM for -t and gives a non-root user only added capabilities', () => {
    const s = spec({ tty: true, user: 'app', capAdd: ['net_bind_service'] });
    expect(s.process.terminal).toBe(true);
    expect(s.process.env).toContain('TERM=xterm');
    expect(s.process.capabilities.ambient).toEqual(['CAP_NET_BIND_SERVICE']);
  });

  it("takes tpod's nofile hard limit for both, and caps both at podman's 1048576", () => {
    expect(spec({}).process.rlimits).toEqual([
      { type: 'RLIMIT_NOFILE', hard: 524288, soft: 524288 },
      { type: 'RLIMIT_NPROC', hard: 1048576, soft: 62811 },
    ]);
  });

  it('leaves gid=5 off /dev/pts when the namespace maps no tty group, and the cgroup namespace off on cgroup v1', () => {
    const s = spec({}, { host: { ...host, gidCount: 1, cgroupV2: false } });
    expect(mount(s, '/dev/pts')?.options).not.toContain('gid=5');
    expect(s.linux.namespaces.map((n) => n.type)).not.toContain('cgroup');
  });

  it('propagates from the root when a mount is slave or shared', () => {
    expect(spec({ mounts: [parseVolumeSpec('/mnt:/mnt:rslave', '/')] }).linux.rootfsPropagation).toBe('rslave');
    expect(spec({ mounts: [parseVolumeSpec('/mnt:/mnt:rshared', '/')] }).linux.rootfsPropagation).toBe('shared');
  });

  it('follows --security-opt seccomp: unconfined, or a profile even with --privileged', () => {
    expect(spec({ seccomp: 'unconfined' }).linux).not.toHaveProperty('seccomp');
    expect(spec({ privileged: true, seccomp: seccompProfile }).linux.seccomp?.syscalls).toHaveLength(2);
    expect(spec({}, { host: { ...host, seccompProfile: undefined } }).linux).not.toHaveProperty('seccomp');
  });

  it('sets no-new-privileges and annotations only when asked', () => {
    const s = spec({ noNewPrivileges: true, annotations: { 'org.example/a': 'b' } });
    expect(s.process.noNewPrivileges).toBe(true);
    expect(s.annotations).toEqual({ 'org.example/a': 'b' });
    expect(spec({})).not.toHaveProperty('annotations');
  });
});

describe('buildSpec with --userns=keep-id', () => {
  const caller = { uid: 1002, gid: 1002, name: 'dev', gecos: '', home: '/home/dev', group: 'dev' };
  const userns = keepId(caller, 65537, 65537);
  const keep = (options: RunOptions, more: Partial<BuildInput> = {}) => spec({ ...options, userns: 'keep-id' }, { userns, ...more });
  const mount = (s: ReturnType<typeof spec>, destination: string) => s.mounts.find((m) => m.destination === destination);

  it("creates a user namespace with podman's maps and runs as the caller, as podman 4.3 does", () => {
    const s = keep({}, { etc: { passwd: `${etc.passwd}dev:*:1002:1002::/:/bin/sh\n`, group: etc.group } });
    expect(s.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup', 'user']);
    expect(s.linux.uidMappings).toEqual(userns.uidMappings);
    expect(s.linux.gidMappings).toEqual(userns.gidMappings);
    expect(s.process.user).toEqual({ uid: 1002, gid: 1002, umask: 0o022, additionalGids: [1002] });
    expect(s.process.env).toContain('HOME=/');
    expect(s.process.capabilities).not.toHaveProperty('effective');
  });

  it('lets -u and the image User decide the user, as without keep-id', () => {
    expect(keep({ user: '0' }).process.user).toMatchObject({ uid: 0, gid: 0 });
    expect(keep({}, { image: { ...image, User: 'app' } }).process.user).toMatchObject({ uid: 1000, gid: 1000 });
  });

  it("binds the host's /sys and sets no sysctl in pasta's network namespace, which the container's root does not own", () => {
    const s = keep({});
    expect(mount(s, '/sys')).toEqual({ destination: '/sys', type: 'bind', source: '/sys', options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'ro', 'rbind'] });
    expect(s.linux.maskedPaths).toContain('/sys/kernel');
    expect(s.linux).not.toHaveProperty('sysctl');
    expect(mount(s, '/dev/pts')?.options).toContain('gid=5');
  });

  it('mounts sysfs and sets the ping sysctl in the network namespace the runtime makes inside it (none)', () => {
    const s = keep({}, { network: { mode: 'none' } });
    expect(mount(s, '/sys')?.type).toBe('sysfs');
    expect(s.linux.sysctl).toEqual({ 'net.ipv4.ping_group_range': '0 0' });
  });

  it('leaves gid=5 off /dev/pts when the container maps only the caller', () => {
    expect(mount(keep({}, { userns: keepId(caller, 1, 1) }), '/dev/pts')?.options).not.toContain('gid=5');
  });

  it("adds the caller's entries with the home podman gives them", () => {
    const options = { workdir: '/srv', mounts: [parseVolumeSpec('/home/dev:/home/dev', '/')] };
    expect(keepIdEtc(userns, options, image, etc, ['/home/dev']).passwd).toBe(`${etc.passwd}dev:*:1002:1002::/home/dev:/bin/sh\n`);
    expect(keepIdEtc(userns, { workdir: '/srv' }, image, etc, []).passwd).toBe(`${etc.passwd}dev:*:1002:1002::/srv:/bin/sh\n`);
    expect(keepIdEtc(userns, {}, image, { passwd: etc.passwd, group: 'dev:x:1002:\n' }, []).group).toBeUndefined();
  });
});
