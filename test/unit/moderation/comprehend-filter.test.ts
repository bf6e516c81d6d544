import { ComprehendClient, DetectToxicContentCommand } from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { sleep } from '../../../shared/async.ts';
import {
  ComprehendToxicityFilter,
  segmentMaxBytes,
  type ToxicityOptions,
  textSegments,
} from '../../../shared/moderation/comprehend-filter.ts';
import { logger } from '../../../shared/observability.ts';

const comprehend = mockClient(ComprehendClient);
const warnings = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
beforeEach(() => {
  comprehend.reset();
  warnings.mockClear();
});

const options: ToxicityOptions = { threshold: 0.8, timeoutMs: 50, failure: 'open' };
const filter = (overrides: Partial<ToxicityOptions> = {}) =>
  new ComprehendToxicityFilter(new ComprehendClient({ region: 'us-east-1' }), { ...options, ...overrides });
const scored = (...toxicity: number[]) => ({
  ResultList: toxicity.map((Toxicity) => ({
    Toxicity,
    Labels: [{ Name: 'INSULT' as const, Score: Toxicity }],
  })),
});

describe('the Comprehend toxicity filter', () => {
  it('refuses a text whose toxicity reaches the threshold, in English', async () => {
    comprehend.on(DetectToxicContentCommand).resolves(scored(0.93));
    expect(await filter().review('you are awful')).toEqual({ allowed: false, rule: 'toxicity' });
    expect(comprehend).toHaveReceivedCommandWith(DetectToxicContentCommand, {
      LanguageCode: 'en',
      TextSegments: [{ Text: 'you are awful' }],
    });
  });

  it('allows a text below the threshold', async () => {
    comprehend.on(DetectToxicContentCommand).resolves(scored(0.79));
    expect(await filter().review('good morning')).toEqual({ allowed: true });
  });

  it('refuses when any one segment of a long text reaches the threshold', async () => {
    comprehend.on(DetectToxicContentCommand).resolves(scored(0.1, 0.85, 0.2, 0.1, 0.1));
    expect((await filter().review('word '.repeat(800))).allowed).toBe(false);
  });

  it('allows after the time-out by default: a slow Comprehend does not stop the chat', async () => {
    comprehend.on(DetectToxicContentCommand).callsFake(async () => {
      await sleep(500);
      return scored(0.99);
    });
    const started = Date.now();
    expect(await filter().review('you are awful')).toEqual({ allowed: true });
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('refuses after the time-out when set to fail closed', async () => {
    comprehend.on(DetectToxicContentCommand).callsFake(async () => {
      await sleep(500);
      return scored(0);
    });
    expect(await filter({ failure: 'closed' }).review('hello')).toEqual({
      allowed: false,
      rule: 'toxicity-unavailable',
    });
  });

  it('applies the failure mode to an error too (throttled, or a region without toxicity detection)', async () => {
    comprehend.on(DetectToxicContentCommand).rejects(new Error('UnknownOperationException'));
    expect(await filter().review('hello')).toEqual({ allowed: true });
    expect((await filter({ failure: 'closed' }).review('hello')).allowed).toBe(false);
    expect(warnings).toHaveBeenCalledWith('Comprehend toxicity detection failed', expect.anything());
  });

  it('sends a 4 KB body as segments of at most 1 KB each, in one request', async () => {
    comprehend.on(DetectToxicContentCommand).resolves(scored(0, 0, 0, 0, 0));
    const body = 'é'.repeat(2048); // 4 KB of UTF-8, no white space
    await filter().review(body);
    const [call] = comprehend.commandCalls(DetectToxicContentCommand);
    const segments = call?.args[0].input.TextSegments?.map((s) => s.Text ?? '') ?? [];
    expect(segments.length).toBeGreaterThanOrEqual(4);
    expect(segments.length).toBeLessThanOrEqual(10);
    expect(segments.join('')).toBe(body);
    for (const segment of segments) expect(Buffer.byteLength(segment)).toBeLessThanOrEqual(1024);
  });

  it('calls nothing for a text of white space only', async () => {
    expect(await filter().review('   ')).toEqual({ allowed: true });
    expect(comprehend).not.toHaveReceivedCommand(DetectToxicContentCommand);
  });
});

describe('splitting a text into segments', () => {
  it('keeps a short text whole', () => {
    expect(textSegments('hello there')).toEqual(['hello there']);
  });

  it('breaks at white space, keeping every word whole and in order', () => {
    const words = Array.from({ length: 600 }, (_, i) => `word${i}`);
    const segments = textSegments(words.join(' '));
    expect(segments.length).toBeGreaterThan(1);
    expect(segments.flatMap((s) => s.split(' '))).toEqual(words);
    for (const segment of segments) expect(Buffer.byteLength(segment)).toBeLessThanOrEqual(segmentMaxBytes);
  });

  it('never splits a character (an emoji is 4 bytes, 2 UTF-16 units)', () => {
    const segments = textSegments('😀'.repeat(1000), 10);
    expect(segments.every((s) => s === '😀😀')).toBe(true);
  });
});
