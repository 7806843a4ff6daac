/** The -t/--time of stop and restart (and, worded for it, rm): how long the stop signal has before SIGKILL. */
import { STOP_TIMEOUT_SECONDS, parseStopTimeout } from '../../spec/stop.js';
import type { Args, OptionSpec } from '../spec.js';

export const stopTimeOption: OptionSpec = {
  name: 'time',
  alias: 't',
  type: 'number',
  valueName: 'SECONDS',
  describe: `how long to wait before SIGKILL (default: the container's --stop-timeout, else ${STOP_TIMEOUT_SECONDS})`,
};

/** -t as given; undefined when not, for the container's own timeout. */
export function stopTime(args: Args): number | undefined {
  return args.time === undefined ? undefined : parseStopTimeout(args.time, '--time');
}
