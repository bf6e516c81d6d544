/**
 * The per-user limits of the run's shared runtime. It serves every end-to-end file at once, and some flood on
 * purpose (hostile-input sends hundreds of frames as one user, to meet each check it aims at): the limits would
 * answer in place of those checks. So they are raised here, unless the environment sets them;
 * test/e2e/abuse-limits.e2e.test.ts tests the limits themselves on a run of its own.
 */
import { settingsEnv } from '../../shared/config.ts';
import { rateBuckets } from '../../shared/shape/routes.ts';

export function raiseSharedRuntimeRateLimits(): void {
  for (const { perMinute } of Object.values(rateBuckets)) process.env[settingsEnv[perMinute]] ||= '100000';
}
