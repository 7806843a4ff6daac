/**
 * The healthcheck options of run and create (podman's), and the flags they
 * give the engine: what is not given is the image's check's, or podman's
 * default.
 */
import { type HealthFlags, ON_FAILURE_ACTIONS, parseHealthFlags } from '../../spec/healthcheck.js';
import type { Args, OptionSpec } from '../spec.js';

export const healthOptions: readonly OptionSpec[] = [
  { name: 'health-cmd', type: 'string', valueName: 'COMMAND', describe: 'a healthcheck: a command run with /bin/sh -c in the container, or a JSON array (\'["CMD","prog","arg"]\'); it passes when it exits 0; "none" disables the image\'s' },
  { name: 'health-interval', type: 'string', valueName: 'DURATION', describe: 'how long after one check the next runs, e.g. 30s (the default) or 1m30s; "disable": no timer, checks only by hand (tpod healthcheck run)' },
  { name: 'health-retries', type: 'string', valueName: 'N', describe: 'how many failed checks in a row make the container unhealthy (default 3)' },
  { name: 'health-timeout', type: 'string', valueName: 'DURATION', describe: 'how long a check may take before it is killed and counts as failed (default 30s, at least 1s)' },
  { name: 'health-start-period', type: 'string', valueName: 'DURATION', describe: 'how long after the start failed checks do not count (default 0s)' },
  { name: 'health-on-failure', type: 'string', valueName: 'ACTION', complete: ON_FAILURE_ACTIONS, describe: 'what a check that leaves the container unhealthy does to it: none (the default), kill, stop, or restart (a stop, then a start by conmon\'s exit command, so for detached containers only; under a systemd unit, kill or stop and the unit\'s Restart= are the better choice)' },
  { name: 'no-healthcheck', type: 'boolean', describe: 'no healthcheck, not even the image\'s' },
];

const text = (value: unknown): string | undefined => (value === undefined ? undefined : String(value));

export function healthFlags(args: Args): HealthFlags | undefined {
  return parseHealthFlags({
    cmd: text(args['health-cmd']),
    noHealthcheck: Boolean(args['no-healthcheck']),
    interval: text(args['health-interval']),
    timeout: text(args['health-timeout']),
    startPeriod: text(args['health-start-period']),
    retries: text(args['health-retries']),
    onFailure: text(args['health-on-failure']),
  });
}
