import { describe, expect, it } from 'vitest';
import {
  parseContentFilterConfig,
  parseWordList,
  readContentFilterConfig,
} from '../../../shared/moderation/filter-config.ts';
import { WordListFilter } from '../../../shared/moderation/word-list-filter.ts';

const refuses = async (words: string[], text: string) =>
  !(await new WordListFilter(words).review(text)).allowed;

describe('the word-list content filter', () => {
  it('refuses a listed word whatever its case, accents or Unicode form', async () => {
    for (const text of ['spam', 'SPAM', 'Spâm', 'buy ｓｐａｍ now', 'S\u0070a\u0302m', 'sp\u00ADam'])
      expect(await refuses(['spam'], text), text).toBe(true);
    // The list is folded the same way: an accented entry matches its plain spelling too.
    expect(await refuses(['Crème'], 'creme brulee')).toBe(true);
    expect(await refuses(['straße'], 'STRASSE')).toBe(true);
  });

  it('matches whole words only', async () => {
    expect(await refuses(['spam'], 'spammer and spamspam')).toBe(false);
    expect(await refuses(['ass'], 'a classic assessment')).toBe(false);
    expect(await refuses(['spam'], 'no, spam!')).toBe(true);
    expect(await refuses(['spam'], '(spam)')).toBe(true);
  });

  it('refuses a listed phrase word for word, whatever lies between its words', async () => {
    const phrase = ['buy now'];
    expect(await refuses(phrase, 'Please BUY   now!')).toBe(true);
    expect(await refuses(phrase, 'buy-now')).toBe(true);
    expect(await refuses(phrase, 'buy it now')).toBe(false);
    expect(await refuses(phrase, 'buy')).toBe(false);
    expect(await refuses(phrase, 'now buy')).toBe(false);
  });

  it('allows everything with an empty list', async () => {
    expect(await refuses([], 'spam spam spam')).toBe(false);
    expect(await refuses(['', '  ', '!!!'], 'spam !!!')).toBe(false);
  });

  it('answers the rule, never the word, in its refusal', async () => {
    expect(await new WordListFilter(['spam']).review('spam')).toEqual({ allowed: false, rule: 'word-list' });
  });
});

describe('the content filter settings', () => {
  it('reads a comma list, trimming entries and dropping empty ones', () => {
    expect(parseWordList(' spam, buy now ,,eggs ')).toEqual(['spam', 'buy now', 'eggs']);
    expect(parseWordList(['spam', ' eggs'])).toEqual(['spam', 'eggs']);
    expect(parseWordList(undefined)).toEqual([]);
  });

  it('defaults to an empty word list, Comprehend off, 0.8, 400 ms and failing open', () => {
    expect(readContentFilterConfig({})).toEqual({
      kind: 'word-list',
      words: [],
      toxicityThreshold: 0.8,
      timeoutMs: 400,
      failure: 'open',
    });
  });

  it('refuses settings it cannot use, naming the setting', () => {
    const env = (values: Record<string, string>) => () => readContentFilterConfig(values);
    expect(env({ CONTENT_FILTER: 'regex' })).toThrow('CONTENT_FILTER must be one of word-list, comprehend');
    expect(env({ CONTENT_FILTER_THRESHOLD: '1.5' })).toThrow('CONTENT_FILTER_THRESHOLD');
    expect(env({ CONTENT_FILTER_TIMEOUT_MS: '0' })).toThrow('CONTENT_FILTER_TIMEOUT_MS');
    expect(env({ CONTENT_FILTER_FAIL: 'shut' })).toThrow('CONTENT_FILTER_FAIL');
    expect(() =>
      parseContentFilterConfig((setting) => ({
        raw: setting === 'failure' ? 'x' : undefined,
        name: 'ctxKey',
      })),
    ).toThrow('ctxKey');
  });
});
