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

export interface HandoverOptions {
  maxConnectionAgeMs: number;
  /** Time to open the next socket; `current` is the socket that was current when the hand-over was planned. */
  openNext(current: Link): void;
  /** A socket that frames were sent on is closed while the connection stays open. */
  onRetired(linkId: number): void;
}

/**
 * The hand-over before the gateway's maximum connection age: shortly before the current socket reaches it the
 * next one is opened; frames go to the new socket at once, and the old one keeps receiving until the new one
 * answers its first check, then it is retired.
 */
export class Handover {
  private retiringLink: Link | undefined;
  /** When the current socket's next socket is opened. */
  private timer: ReturnType<typeof setTimeout> | undefined;

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
    this.timer = setTimeout(
      () => this.options.openNext(link),
      maxConnectionAgeMs - handoverLeadMs(maxConnectionAgeMs) * jitter,
    );
    if (!previous) return;
    previous.liveness.stopBeating();
    if (this.retiringLink) this.retire(this.retiringLink);
    this.retiringLink = previous;
  }

  /** The new socket answered: the old one can go. */
  confirmed(): void {
    if (this.retiringLink) this.retire(this.retiringLink);
  }

  /** A next socket that did not get through: try again while `current` lasts. */
  retryLater(current: Link): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => this.options.openNext(current),
      handoverLeadMs(this.options.maxConnectionAgeMs) / 4,
    );
  }

  /** Closes the retiring socket and reports it retired. */
  retire(link: Link): void {
    if (this.retiringLink === link) this.retiringLink = undefined;
    link.close();
    this.options.onRetired(link.id);
  }

  /** Every socket is being closed: nothing is planned and nothing is retiring any more. */
  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.retiringLink = undefined;
  }
}
