import type { ReplyQuote } from '@serverless-chat/client';
import { create } from './dom.ts';

/**
 * The quoted message above a reply: who wrote it and how it started, or "deleted message" once it is gone (the
 * server then quotes an empty preview); a click scrolls to it when it is loaded.
 */
export function quoteOf({ seq, senderId, preview }: ReplyQuote): HTMLElement {
  const quote = create('blockquote', 'quote');
  quote.append(
    create('span', 'quote-sender', senderId),
    create('span', preview ? 'quote-preview' : 'quote-preview gone', preview || 'deleted message'),
  );
  quote.addEventListener('click', () =>
    document.querySelector(`.message[data-seq="${seq}"]`)?.scrollIntoView({ block: 'center' }),
  );
  return quote;
}

/** A quote as it stands once the quoted message was deleted, as history then shows it. */
export const withoutPreview = (quote: ReplyQuote): ReplyQuote => ({ ...quote, preview: '' });
