import type { ConnectionStatus } from './connection.ts';
import { type ChatApiError, SuspendedError } from './errors.ts';

/** The part of the client a suspension stops; any HTTP request of its `api` tells whether the user is suspended. */
interface Stoppable {
  readonly status: ConnectionStatus;
  readonly api: { getUnread(): Promise<unknown> };
  disconnect(): void;
}

/**
 * A suspended user's sockets are closed with `error` `suspended` (the connection stops by itself, see
 * `endsConnection`) and refused at `$connect` until the suspension ends, so the client stops rather than retry.
 * A socket refused at `$connect` looks like one that could not reach the server (a WebSocket is not told the
 * status), so once per run of failed attempts the client asks over HTTP, which answers 403 `suspended`.
 */
export class SuspensionWatch {
  private askedSinceOpen = false;

  constructor(
    private readonly client: Stoppable,
    private readonly tell: (error: SuspendedError) => void,
  ) {}

  socketOpened(): void {
    this.askedSinceOpen = false;
  }

  socketRefused(): void {
    if (this.askedSinceOpen) return;
    this.askedSinceOpen = true;
    // Any answer but a suspension leaves the attempts to their backoff.
    // Its failure comes back through `requestFailed` (`ChatApiOptions.onError`).
    this.client.api.getUnread().catch(() => {});
  }

  requestFailed(error: ChatApiError): void {
    if (!(error instanceof SuspendedError) || this.client.status === 'offline') return;
    this.tell(error);
    this.client.disconnect();
  }
}
