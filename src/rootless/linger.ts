/**
 * Whether the user's processes outlive their login: where systemd runs the
 * user's sessions and the user does not linger, logging out ends every
 * process of theirs, detached containers and their conmon included.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The advice for a user whose detached containers end at logout, or undefined. Pure. */
export function lingerAdvice(systemdRuns: boolean, lingering: boolean, user: string): string | undefined {
  if (!systemdRuns || lingering) return undefined;
  return `detached containers stop when you log out, since systemd ends the processes of users who do not linger: run \`loginctl enable-linger ${user}\` to keep them`;
}

/** The user's name in /etc/passwd, else the uid. */
function userName(uid: number): string {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [name, , id] = line.split(':');
    if (name && Number(id) === uid) return name;
  }
  return String(uid);
}

/** The advice, once per login (the run directory is the session's tmpfs): it is not news the second time. */
export function lingerAdviceOnce(runtimeDir: string, uid: number): string | undefined {
  const marker = join(runtimeDir, 'linger-advised');
  if (existsSync(marker)) return undefined;
  const user = userName(uid);
  const advice = lingerAdvice(existsSync('/run/systemd/system'), existsSync(join('/var/lib/systemd/linger', user)), user);
  if (advice) writeFileSync(marker, '');
  return advice;
}
