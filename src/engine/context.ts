/** What every engine use case needs to know about this invocation. */
import { type Session, sessionFromEnv } from '../rootless/session.js';
import { type Paths, resolvePaths } from '../storage/paths.js';

export interface Context {
  readonly session: Session;
  readonly paths: Paths;
  readonly env: NodeJS.ProcessEnv;
}

export function contextFromEnv(env: NodeJS.ProcessEnv): Context {
  const session = sessionFromEnv(env);
  return { session, paths: resolvePaths(env, session.runtimeDir), env };
}
