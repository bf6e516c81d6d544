import { create } from './dom.ts';

/** One push the local runtime's sink received (`GET /_local/pushes`). */
interface Push {
  title: string;
  body: string;
  badge: number;
  sentAt: string;
}

/** How often the list asks the local sink; pushes are not events on the WebSocket. */
const pollMs = 2_000;

/**
 * The "notifications" panel: registers this browser as a (pretend) phone of the signed-in user, and lists the
 * pushes a user's devices got. A user gets pushes only while none of their sockets is open, so watch someone
 * who signed in on another tab and then closed it, or yourself from another tab.
 */
export function startNotifications(options: {
  httpUrl: string;
  me: string;
  token: () => Promise<string>;
  panel: { register: HTMLButtonElement; watched: HTMLInputElement; list: HTMLOListElement };
}): void {
  const { httpUrl, me, panel } = options;
  panel.watched.value = me;
  panel.register.addEventListener('click', async () => {
    const response = await fetch(`${httpUrl}/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await options.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'fcm', token: `demo-${me}-${crypto.randomUUID()}` }),
    });
    panel.register.textContent = response.ok ? 'Device registered' : `Not registered (${response.status})`;
    panel.register.disabled = response.ok;
  });
  const refresh = async () => {
    const userId = panel.watched.value.trim();
    if (userId === '') return panel.list.replaceChildren();
    const response = await fetch(`${httpUrl}/_local/pushes?userId=${encodeURIComponent(userId)}`);
    const { items } = (await response.json()) as { items: Push[] };
    panel.list.replaceChildren(
      ...items
        .slice(-10)
        .reverse()
        .map((push) => {
          const item = create('li', 'notification');
          item.append(
            create('strong', 'notification-title', push.title),
            create('span', 'notification-badge', String(push.badge)),
            create('span', 'notification-body', push.body),
          );
          item.title = push.sentAt;
          return item;
        }),
    );
  };
  panel.watched.addEventListener('change', () => void refresh());
  setInterval(() => void refresh().catch(() => undefined), pollMs);
  void refresh();
}
