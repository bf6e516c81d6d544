/**
 * What a container keeps for the current clock minute only (per-user rate counts): a new minute starts from
 * fresh state. The minute is named by its start in epoch seconds, as the rate-limit keys name it.
 */
export class MinuteState<State> {
  private windowStart = -1;
  private state: State;

  constructor(private readonly fresh: () => State) {
    this.state = fresh();
  }

  /** The minute of `nowMs` and its state. */
  at(nowMs: number): { windowStart: number; state: State } {
    const windowStart = Math.floor(nowMs / 60_000) * 60;
    if (windowStart !== this.windowStart) {
      this.state = this.fresh();
      this.windowStart = windowStart;
    }
    return { windowStart, state: this.state };
  }
}
