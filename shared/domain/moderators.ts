/** Who moderates: users in the identity provider's `moderators` group (a Cognito group in AWS). */
import { forbidden } from '../errors.ts';

export const moderatorGroup = 'moderators';

export interface Caller {
  userId: string;
  groups: readonly string[];
}

/** Checked in the domain, whatever the gateway checked: a route is only as safe as its use case. */
export function requireModerator(caller: Caller): void {
  if (!caller.groups.includes(moderatorGroup)) throw forbidden('Only moderators may do this');
}
