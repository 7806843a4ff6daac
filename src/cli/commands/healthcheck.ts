import type { CommandSpec } from '../spec.js';
import { healthcheckRun } from './healthcheck-run.js';

export const healthcheck: CommandSpec = {
  name: 'healthcheck',
  summary: 'Manage health checks on containers',
  description:
    'Commands for containers\' healthchecks: the command given to tpod run or create with --health-cmd (or the image\'s Healthcheck), run in the container every --health-interval to tell whether it works. tpod ps shows a running container\'s status, (starting), (healthy) or (unhealthy); tpod inspect shows State.Health and Config.Healthcheck.',
  subcommands: [healthcheckRun],
};
