import { ChatApiError, type Message } from '@serverless-chat/client';
import { create } from './dom.ts';

/** The emoji offered on every message; others people used are shown after them. */
const quickEmoji = ['👍', '❤️', '😂', '🎉', '😮'];

/**
 * A message's reactions: one button per quick emoji and per emoji someone used, with its count; pressed
 * (`aria-pressed`) when the reader is among its reactors, and a click adds or takes back the reader's reaction.
 * The reactors known are the newest 20 per emoji, so a reader who reacted before 20 others shows as not pressed
 * and a click adds nothing (a repeated reaction changes nothing).
 */
export function reactionBar(
  message: Message,
  me: string,
  toggle: (emoji: string, mine: boolean) => Promise<void>,
): HTMLElement {
  const bar = create('span', 'reactions');
  const byEmoji = new Map((message.reactions ?? []).map((reaction) => [reaction.emoji, reaction]));
  for (const emoji of new Set([...quickEmoji, ...byEmoji.keys()])) {
    const reaction = byEmoji.get(emoji);
    const mine = reaction?.userIds.includes(me) ?? false;
    const control = create('button', reaction ? 'reaction used' : 'reaction', emoji);
    control.type = 'button';
    control.dataset.emoji = emoji;
    control.setAttribute('aria-pressed', String(mine));
    control.title = mine ? `Take back your ${emoji}` : `React with ${emoji}`;
    if (reaction) control.append(create('span', 'count', String(reaction.count)));
    control.addEventListener('click', () => {
      control.disabled = true;
      // The new counts come as `message.reactions`, which draws the bar again.
      toggle(emoji, mine).then(
        () => {
          control.disabled = false;
        },
        (error: unknown) => {
          control.disabled = false;
          control.classList.add('failed');
          control.title = `Not saved (${error instanceof ChatApiError ? error.code : 'network'})`;
        },
      );
    });
    bar.append(control);
  }
  return bar;
}
