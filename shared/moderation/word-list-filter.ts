/**
 * The default content filter: a list of words and phrases, matched as whole words whatever their case, accents
 * or Unicode spelling (`Spâm`, `SPAM` and fullwidth `ｓｐａｍ` all match `spam`). No I/O: it costs no capacity.
 */
import type { ContentFilter, ContentVerdict } from '../domain/moderation-ports.ts';

const wordListRule = 'word-list';

const allowed: ContentVerdict = { allowed: true };
const refused: ContentVerdict = { allowed: false, rule: wordListRule };

const nonSpacingMarks = /\p{Mn}/gu;
/** Soft hyphens, zero-width joiners and the like: invisible, so they must not split a word in two. */
const formatCharacters = /\p{Cf}/gu;
const wordPattern = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * Text as it is compared: compatibility forms unified and accents dropped (NFKD, then no non-spacing marks),
 * case folded (upper then lower, so `ß` and `SS` meet), and composed again (NFKC).
 */
function foldForMatching(text: string): string {
  return text
    .normalize('NFKD')
    .replace(nonSpacingMarks, '')
    .replace(formatCharacters, '')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC');
}

/** The words of a text, folded: runs of letters, digits and marks. */
const wordsOf = (text: string): string[] => foldForMatching(text).match(wordPattern) ?? [];

export class WordListFilter implements ContentFilter {
  /** Each listed entry as its words, under its first word: one lookup per word of a message. */
  private readonly entriesByFirstWord = new Map<string, string[][]>();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const words = wordsOf(entry);
      const first = words[0];
      if (first === undefined) continue;
      const known = this.entriesByFirstWord.get(first) ?? [];
      known.push(words.slice(1));
      this.entriesByFirstWord.set(first, known);
    }
  }

  /** Refused when a listed word, or a listed phrase word for word, occurs in `text`. */
  async review(text: string): Promise<ContentVerdict> {
    if (this.entriesByFirstWord.size === 0) return allowed;
    const words = wordsOf(text);
    const listed = words.some((word, at) =>
      this.entriesByFirstWord
        .get(word)
        ?.some((rest) => rest.every((next, offset) => words[at + 1 + offset] === next)),
    );
    return listed ? refused : allowed;
  }
}
