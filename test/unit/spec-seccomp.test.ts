/**
 * The containers seccomp.json format into OCI form. Checked by hand against podman 4.3: the
 * system's /usr/share/containers/seccomp.json converts to exactly the filter in podman's config.json.
 */
import { describe, expect, it } from 'vitest';
import { seccompForContainer, type SeccompProfile } from '../../src/spec/seccomp.js';

const profile: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrno: 'ENOSYS',
  defaultErrnoRet: 38,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['bpf'], action: 'SCMP_ACT_ERRNO', errno: 'EPERM', errnoRet: 1, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { name: 'kexec_load', action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
  ],
};

describe('seccompForContainer', () => {
  it('keeps the rules for this architecture and these capabilities', () => {
    expect(seccompForContainer(profile, 'amd64', ['CAP_CHOWN'])).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 38,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [
        { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
        { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW' },
        { names: ['bpf'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
        { names: ['kexec_load'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      ],
    });
  });

  it('allows what a capability includes and drops what it excludes', () => {
    const names = seccompForContainer(profile, 'arm64', ['CAP_SYS_ADMIN'])?.syscalls?.map((s) => s.names[0]);
    expect(names).toEqual(['read', 'personality', 'mount', 'kexec_load']);
    expect(seccompForContainer(profile, 'arm64', [])?.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  });

  it('leaves the architectures to the runtime where the map has none for this host', () => {
    expect(seccompForContainer(profile, 'riscv64', [])).not.toHaveProperty('architectures');
  });

  it('means no filter for an empty profile', () => {
    expect(seccompForContainer({ defaultAction: '' }, 'amd64', [])).toBeUndefined();
  });

  it('refuses what it cannot read', () => {
    expect(() => seccompForContainer({ defaultAction: 'SCMP_ACT_ALLOW', defaultErrno: 'EPERM' }, 'amd64', [])).toThrow(
      'seccomp profile: errno EPERM needs a numeric errnoRet beside it',
    );
    const both = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ALLOW' }] };
    expect(() => seccompForContainer(both, 'amd64', [])).toThrow("seccomp profile: a rule gives both 'name' and 'names'; use one");
  });
});
