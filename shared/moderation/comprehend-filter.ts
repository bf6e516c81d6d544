/**
 * Amazon Comprehend's toxicity detection (`DetectToxicContent`) as a content filter, on when the stack's
 * `contentFilter=comprehend`. A slow or failing Comprehend is a time-out, and the configured failure mode decides:
 * open (the default: a chat does not stop with Comprehend) or closed.
 */
import { type ComprehendClient, DetectToxicContentCommand } from '@aws-sdk/client-comprehend';
import type { ContentFilter, ContentVerdict } from '../domain/moderation-ports.ts';
import { logger } from '../observability.ts';
import type { FailureMode } from './filter-config.ts';

const toxicityRule = 'toxicity';
/** A refusal because Comprehend did not answer in time, with the failure mode `closed`. */
const toxicityUnavailableRule = 'toxicity-unavailable';

/** Comprehend's limits: each segment at most 1 KB of UTF-8 (kept under 1,000 bytes), 10 segments a request. */
export const segmentMaxBytes = 1_000;
const segmentsPerRequest = 10;

export interface ToxicityOptions {
  threshold: number;
  timeoutMs: number;
  failure: FailureMode;
}

const allowed: ContentVerdict = { allowed: true };

/**
 * Splits a text into segments of at most `maxBytes` UTF-8 bytes, in order (Comprehend reads them as one
 * context), at the last white space of a full segment when there is one in its second half, never inside a
 * character.
 */
export function textSegments(text: string, maxBytes = segmentMaxBytes): string[] {
  const segments: string[] = [];
  let rest = text.trim();
  while (rest !== '') {
    let end = 0;
    let bytes = 0;
    for (const character of rest) {
      bytes += Buffer.byteLength(character);
      if (bytes > maxBytes) break;
      end += character.length;
    }
    if (end < rest.length) {
      const lastSpace = rest.slice(0, end + 1).search(/\s\S*$/u);
      if (lastSpace > end / 2) end = lastSpace;
    }
    segments.push(rest.slice(0, end).trimEnd());
    rest = rest.slice(end).trimStart();
  }
  return segments;
}

/** `task` given a signal that aborts after `ms`; rejects then even if the task ignores the signal. */
async function within<T>(ms: number, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`No answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([task(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export class ComprehendToxicityFilter implements ContentFilter {
  constructor(
    private readonly client: ComprehendClient,
    private readonly options: ToxicityOptions,
  ) {}

  async review(text: string): Promise<ContentVerdict> {
    const segments = textSegments(text);
    if (segments.length === 0) return allowed;
    const requests: string[][] = [];
    for (let at = 0; at < segments.length; at += segmentsPerRequest)
      requests.push(segments.slice(at, at + segmentsPerRequest));
    try {
      const scores = await within(this.options.timeoutMs, (abortSignal) =>
        Promise.all(requests.map((batch) => this.toxicityOf(batch, abortSignal))),
      );
      return scores.flat().some((score) => score >= this.options.threshold)
        ? { allowed: false, rule: toxicityRule }
        : allowed;
    } catch (error) {
      logger.warn('Comprehend toxicity detection failed', {
        error: error as Error,
        failure: this.options.failure,
      });
      return this.options.failure === 'closed' ? { allowed: false, rule: toxicityUnavailableRule } : allowed;
    }
  }

  private async toxicityOf(segments: string[], abortSignal: AbortSignal): Promise<number[]> {
    const answer = await this.client.send(
      new DetectToxicContentCommand({
        TextSegments: segments.map((Text) => ({ Text })),
        LanguageCode: 'en',
      }),
      { abortSignal },
    );
    return (answer.ResultList ?? []).map((result) => result.Toxicity ?? 0);
  }
}
