import { create } from './dom.ts';

/** The characters of a user id (the sign-in form's pattern); `@` followed by them names a user. */
const userIdCharacters = 'A-Za-z0-9_\\-';
const maxMentions = 20;

/** The members written as `@userId` in `body`, each once: what the send's `mentions` carries. */
export function mentionsIn(body: string, memberIds: readonly string[]): string[] {
  const named = new Set(
    [...body.matchAll(new RegExp(`@([${userIdCharacters}]+)`, 'g'))].map((match) => match[1]),
  );
  return memberIds.filter((id) => named.has(id)).slice(0, maxMentions);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A message's text as `.body`, each `@userId` it mentions highlighted (`.mention`, and `.mention.me` for the
 * reader); built from text nodes only, so nothing in a message is ever parsed as markup.
 */
export function bodyWithMentions(body: string, mentions: readonly string[], me: string): HTMLElement {
  const element = create('span', 'body');
  if (mentions.length === 0) {
    element.textContent = body;
    return element;
  }
  // Longest first, so `@ann-2` is not taken for `@ann` followed by "-2".
  const names = [...mentions].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(`@(${names.join('|')})(?![${userIdCharacters}])`, 'g');
  let from = 0;
  for (const match of body.matchAll(pattern)) {
    element.append(body.slice(from, match.index));
    element.append(create('span', match[1] === me ? 'mention me' : 'mention', match[0]));
    from = match.index + match[0].length;
  }
  element.append(body.slice(from));
  return element;
}

/**
 * Suggestions while the word before the caret starts with `@`: the members whose id starts with what follows
 * it; picking one completes the word. `members` answers the open conversation's other members.
 */
export function attachMentionPicker(
  input: HTMLInputElement,
  picker: HTMLElement,
  members: () => string[],
): void {
  const wordBeforeCaret = () => {
    const before = input.value.slice(0, input.selectionStart ?? input.value.length);
    return new RegExp(`@([${userIdCharacters}]*)$`).exec(before);
  };
  const update = () => {
    const word = wordBeforeCaret();
    const matching = word ? members().filter((id) => id.startsWith(word[1] ?? '')) : [];
    picker.hidden = matching.length === 0;
    picker.replaceChildren(
      ...matching.map((userId) => {
        const choice = create('button', 'mention-choice', `@${userId}`);
        choice.type = 'button';
        // mousedown would take the focus from the input before the click completes the word.
        choice.addEventListener('mousedown', (event) => event.preventDefault());
        choice.addEventListener('click', () => complete(userId));
        return choice;
      }),
    );
  };
  const complete = (userId: string) => {
    const word = wordBeforeCaret();
    if (!word) return;
    const caret = word.index + word[0].length;
    input.value = `${input.value.slice(0, word.index)}@${userId} ${input.value.slice(caret)}`;
    const after = word.index + userId.length + 2;
    input.setSelectionRange(after, after);
    input.focus();
    update();
  };
  input.addEventListener('input', update);
  input.addEventListener('blur', () => {
    picker.hidden = true;
  });
}
