function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
}

export function create<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text = '',
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

/** The elements of the page (index.html) the demo fills in and listens to. */
export const view = {
  signIn: element('sign-in'),
  signInForm: element<HTMLFormElement>('sign-in-form'),
  signInError: element('sign-in-error'),
  chat: element('chat'),
  me: element('me'),
  status: element('status'),
  newConversation: element<HTMLFormElement>('new-conversation'),
  conversations: element<HTMLUListElement>('conversations'),
  back: element<HTMLButtonElement>('back'),
  title: element('conversation-title'),
  loadOlder: element<HTMLButtonElement>('load-older'),
  messages: element<HTMLOListElement>('messages'),
  typing: element('typing'),
  composer: element<HTMLFormElement>('composer'),
  composerFields: element<HTMLFieldSetElement>('composer-fields'),
  replyingTo: element('replying-to'),
  mentionPicker: element('mention-picker'),
  attach: element<HTMLInputElement>('attach'),
  pickedFiles: element('picked-files'),
  registerDevice: element<HTMLButtonElement>('register-device'),
  pushesOf: element<HTMLInputElement>('pushes-of'),
  notifications: element<HTMLOListElement>('notifications'),
  moderation: {
    section: element('moderation'),
    count: element('report-count'),
    error: element('moderation-error'),
    list: element<HTMLOListElement>('reports'),
  },
};

/**
 * Which pane a narrow screen shows (style.css); a wide one shows the list and the conversation side by side
 * whatever this says.
 */
export function showPane(pane: 'list' | 'conversation'): void {
  view.chat.dataset.view = pane;
}
