import { view } from './dom.ts';
import { moderatorsGroup } from './moderation.ts';

/** Who signed in, and how the page gets their tokens. */
export interface Session {
  userId: string;
  /** Signed in "as moderator": the token carries the `moderators` group. */
  moderator: boolean;
  token: () => Promise<string>;
}

/** The local runtime's development token endpoint; a real app asks its identity provider instead. */
async function devToken(httpUrl: string, userId: string, groups: string[]): Promise<string> {
  const response = await fetch(`${httpUrl}/_local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, groups }),
  });
  if (!response.ok) throw new Error(`No token for ${userId} (HTTP ${response.status})`);
  return ((await response.json()) as { token: string }).token;
}

/** The sign-in form: a user id, optionally as a moderator; `start` runs once a first token was issued. */
export function onSignIn(httpUrl: string, start: (session: Session) => Promise<void>): void {
  view.signInForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(view.signInForm);
    const userId = String(form.get('userId')).trim();
    const moderator = form.get('moderator') === 'on';
    const token = () => devToken(httpUrl, userId, moderator ? [moderatorsGroup] : []);
    try {
      await token();
      await start({ userId, moderator, token });
    } catch (error) {
      view.signInError.textContent = error instanceof Error ? error.message : String(error);
    }
  });
}
