interface EventSource {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

const canListen = (target: unknown): target is EventSource =>
  typeof (target as Partial<EventSource> | undefined)?.addEventListener === 'function' &&
  typeof (target as Partial<EventSource> | undefined)?.removeEventListener === 'function';

/**
 * Calls `onWake` when a browser comes back online (`online` on the window) or its page becomes visible again
 * (`visibilitychange` on the document), the moments a socket may have died unnoticed. Where these APIs do not
 * exist (React Native, Node) it does nothing: an app there calls `checkConnection()` itself. Returns the
 * function that stops listening.
 */
export function watchWakeUps(onWake: () => void): () => void {
  const stops: (() => void)[] = [];
  const scope = globalThis as unknown as { document?: unknown };
  if (canListen(scope)) {
    const online = () => onWake();
    scope.addEventListener('online', online);
    stops.push(() => scope.removeEventListener('online', online));
  }
  const document = scope.document as (EventSource & { visibilityState?: string }) | undefined;
  if (canListen(document)) {
    const visible = () => {
      if (document.visibilityState === 'visible') onWake();
    };
    document.addEventListener('visibilitychange', visible);
    stops.push(() => document.removeEventListener('visibilitychange', visible));
  }
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}
