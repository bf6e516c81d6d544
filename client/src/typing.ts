import type { ClientFrame, TypingEvent } from './protocol.ts';

export interface TypingSignalsOptions {
  transmit(frame: ClientFrame): boolean;
  /** While the user keeps typing, `isTyping: true` is repeated this often so the server's expiry never hits. */
  refreshMs: number;
  /** Without a keystroke for this long, typing stops by itself. */
  idleMs: number;
}

/** This user's typing: one frame per `refreshMs` however fast the keystrokes come, and a stop when idle. */
export class TypingSignals {
  private readonly typing = new Map<string, { sentAt: number; idleTimer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly options: TypingSignalsOptions) {}

  keystroke(conversationId: string): void {
    const current = this.typing.get(conversationId);
    clearTimeout(current?.idleTimer);
    let sentAt = current?.sentAt ?? Number.NEGATIVE_INFINITY;
    if (Date.now() - sentAt >= this.options.refreshMs) {
      const sent = this.options.transmit({ action: 'typing', conversationId, isTyping: true });
      if (sent) sentAt = Date.now();
    }
    const idleTimer = setTimeout(() => this.stop(conversationId), this.options.idleMs);
    this.typing.set(conversationId, { sentAt, idleTimer });
  }

  stop(conversationId: string): void {
    const current = this.typing.get(conversationId);
    if (!current) return;
    clearTimeout(current.idleTimer);
    this.typing.delete(conversationId);
    this.options.transmit({ action: 'typing', conversationId, isTyping: false });
  }
}

export interface TypingIndicatorsOptions {
  /**
   * How long a `typing` event shows without a refresh. Timed locally rather than from the event's
   * `expiresAt`, so a phone with a wrong clock neither hides the indicator at once nor keeps it forever.
   */
  timeoutMs: number;
  onChange(event: TypingEvent): void;
}

/** Who else is typing where; each indicator clears by itself when its refreshes stop. */
export class TypingIndicators {
  /** conversationId → userId → the timer that clears it. */
  private readonly typing = new Map<string, Map<string, ReturnType<typeof setTimeout>>>();

  constructor(private readonly options: TypingIndicatorsOptions) {}

  usersTyping(conversationId: string): string[] {
    return [...(this.typing.get(conversationId)?.keys() ?? [])];
  }

  update({ conversationId, userId, isTyping }: TypingEvent): void {
    if (!isTyping) {
      this.clear(conversationId, userId);
      return;
    }
    let users = this.typing.get(conversationId);
    if (!users) {
      users = new Map();
      this.typing.set(conversationId, users);
    }
    const wasTyping = users.has(userId);
    clearTimeout(users.get(userId));
    users.set(
      userId,
      setTimeout(() => this.clear(conversationId, userId), this.options.timeoutMs),
    );
    if (!wasTyping) this.options.onChange({ conversationId, userId, isTyping: true });
  }

  /** Also called when the user's message arrives: sending ends typing. */
  clear(conversationId: string, userId: string): void {
    const users = this.typing.get(conversationId);
    if (!users?.has(userId)) return;
    clearTimeout(users.get(userId));
    users.delete(userId);
    if (users.size === 0) this.typing.delete(conversationId);
    this.options.onChange({ conversationId, userId, isTyping: false });
  }
}
