import { contextFromEnv } from '../../engine/context.js';
import type { CommandSpec } from '../spec.js';

export const healthcheckRun: CommandSpec = {
  name: 'run',
  summary: 'Run the health check of a container',
  description: [
    'Runs the healthcheck of the running CONTAINER once (its --health-cmd, or its image\'s), as tpod exec runs a command in it, killed after its --health-timeout, and records the result: the container becomes healthy when the check passes, unhealthy after --health-retries failures in a row outside its --health-start-period; tpod ps shows the status, tpod inspect its last five checks (State.Health). A check that leaves the container unhealthy then does what its --health-on-failure says (kill, stop or restart).',
    'Exits 0 when the check passed; prints "unhealthy" and exits 1 when it failed; exits 125 when the container is not running or has no healthcheck. A detached container\'s checks run by themselves where you have a systemd user session (a transient timer per container runs this command); elsewhere only by hand.',
  ].join('\n\n'),
  positionals: [{ name: 'container', describe: 'the container, by name or id' }],
  options: [{ name: 'ignore-result', type: 'boolean', describe: 'exit 0 whatever the check\'s result (what the timer runs)' }],
  examples: [{ command: 'tpod healthcheck run web', describe: 'check web now' }],
  run: async (args) => {
    const { runHealthcheck } = await import('../../engine/healthcheck.js');
    const report = await runHealthcheck(contextFromEnv(process.env), String(args.container));
    if (report.passed) return 0;
    process.stdout.write('unhealthy\n');
    return args['ignore-result'] ? 0 : 1;
  },
};
