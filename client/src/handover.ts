import type { Link } from './link.ts';

/** API Gateway closes every connection after 2 hours. */
export const defaultMaxConnectionAgeMs = 2 * 3600_000;

/**
 * How long before the maximum age the next connection is opened: 5 minutes for API Gateway's 2 hours, a quarter
 * of the age for short ages (tests), so there is always time to connect and confirm the new socket.
 */
export function handoverLeadMs(maxConnectionAgeMs: number): number {
  return Math.min(5 * 60_000, maxConnectionAgeMs / 4);
}

/**
 * How long before a token's `exp` the next connection is opened, given the time it has left: a minute, a quarter
 * of a shorter time (tests' short tokens), times the jitter, and never under 2 s (to connect and confirm a socket).
 */
export function tokenLeadMs(remainingMs: number, jitter = 1): number {
  return Math.max(2_000, Math.min(60_000, remainingMs / 4) * jitter);
}

/** Why the next socket is opened: the gateway's age limit, or the current token's `exp`. */
export type HandoverReason = 'age' | 'token';

export interface HandoverOptions {
  maxConnectionAgeMs: number;
  /** Time to open the next socket; `current` is the socket that was current when the hand-over was planned. */
  openNext(current: Link, reason: HandoverReason): void;
  /** Whether a send made on the socket still waits for its answer (it comes on the socket the send went on). */
  awaitsAnswer(linkId: number): boolean;
  /** A socket that frames were sent on is closed while the connection stays open. */
  onRetired(linkId: number): void;
}

/**
 * The hand-over before the gateway's maximum connection age or the socket's token's `exp`, whichever comes first:
 * shortly before it the next one is opened (with a fresh token); frames go to the new socket at once, and the old
 * one keeps receiving until the new one answers its first check, then it is retired once the sends made on it are
 * answered, it closes, or a send waits long enough to be probed. Sent again on the new socket while its first try is
 * still on its way, a send can take a seq it never stores: a hole, which holds the conversation's later messages
 * back in every client for `holeWaitMs`. A token that does not expire after the one it replaces (the app's
 * provider gave no fresher one) plans no token hand-over: it would only repeat; the server's `unauthorized` then
 * starts a reconnection instead.
 */
export class Handover {
  private retiringLink: Link | undefined;
  /** The new socket is confirmed, and the retiring one waits for the answers to sends made on it. */
  private awaitingAnswers = false;
  /** When the current socket's next socket is opened. */
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** What the planned (or last failed) next socket is for. */
  private reason: HandoverReason = 'age';

  constructor(private readonly options: HandoverOptions) {}

  /** The previous socket during a hand-over, still receiving until the new one is confirmed. */
  get retiring(): Link | undefined {
    return this.retiringLink;
  }

  /** `link` became the socket frames go to, replacing `previous` if any, which keeps receiving for now. */
  opened(link: Link, previous: Link | undefined): void {
    clearTimeout(this.timer);
    const { maxConnectionAgeMs } = this.options;
    const jitter = 0.5 + Math.random() / 2; // clients connected together do not all hand over together
    const ageDue = maxConnectionAgeMs - handoverLeadMs(maxConnectionAgeMs) * jitter;
    const remaining = (link.expiresAt ?? Number.NaN) - Date.now();
    const fresher = previous?.expiresAt === undefined || (link.expiresAt ?? 0) > previous.expiresAt;
    // NaN (no exp) and an exp already past by this clock (a skewed clock: nothing to plan on) fail this test.
    const tokenDue = remaining > 0 && fresher ? remaining - tokenLeadMs(remaining, jitter) : Infinity;
    this.reason = tokenDue < ageDue ? 'token' : 'age';
    this.timer = setTimeout(
      () => this.options.openNext(link, this.reason),
      Math.max(0, Math.min(ageDue, tokenDue)),
    );
    if (!previous) return;
    previous.liveness.stopBeating();
    if (this.retiringLink) this.retire(this.retiringLink);
    this.retiringLink = previous;
  }

  /** The new socket answered: the old one can go, once the sends made on it are answered. */
  confirmed(): void {
    const link = this.retiringLink;
    if (!link) return;
    if (this.options.awaitsAnswer(link.id)) this.awaitingAnswers = true;
    else this.retire(link);
  }

  /** A send made on `linkId` was answered: a confirmed hand-over waiting for it may finish. */
  answered(linkId: number): void {
    const link = this.retiringLink;
    if (this.awaitingAnswers && link?.id === linkId && !this.options.awaitsAnswer(linkId)) this.retire(link);
  }

  /** A send waited long for its answer: a confirmed hand-over stops waiting, and it goes again on the new socket. */
  stopAwaitingAnswers(): void {
    if (this.awaitingAnswers && this.retiringLink) this.retire(this.retiringLink);
  }

  /** A next socket that did not get through: try again while `current` lasts. */
  retryLater(current: Link): void {
    clearTimeout(this.timer);
    const ageRetry = handoverLeadMs(this.options.maxConnectionAgeMs) / 4;
    const remaining = (current.expiresAt ?? Number.NaN) - Date.now();
    const tokenRetry = this.reason === 'token' && remaining > 0 ? Math.max(1_000, remaining / 4) : Infinity;
    this.timer = setTimeout(
      () => this.options.openNext(current, this.reason),
      Math.min(ageRetry, tokenRetry),
    );
  }

  /** Closes the retiring socket and reports it retired. */
  retire(link: Link): void {
    if (this.retiringLink === link) this.stopRetiring();
    link.close();
    this.options.onRetired(link.id);
  }

  /** Every socket is being closed: nothing is planned and nothing is retiring any more. */
  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopRetiring();
  }

  private stopRetiring(): void {
    this.awaitingAnswers = false;
    this.retiringLink = undefined;
  }
}
