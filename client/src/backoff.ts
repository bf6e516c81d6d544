export interface BackoffOptions {
  /** Delay step of the first retry. */
  initialDelayMs: number;
  /** Largest delay step, however many attempts failed. */
  maxDelayMs: number;
}

/**
 * Delay before retry number `attempt` (0-based): the step doubles per attempt up to the cap, and a random
 * half of it is added to a fixed half ("equal jitter"), so clients dropped together spread out without ever
 * retrying instantly.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const step = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** attempt);
  return step / 2 + (random() * step) / 2;
}
