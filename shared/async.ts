/** Small helpers of timing and concurrency, shared by the domain and the adapters. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `look` until it finds something, pausing 10, 20, 40 … 640 ms between calls (about 1.3 s in all): for
 * what another invocation writes within moments. Answers undefined when the last look found nothing either.
 */
export async function lookUntilFound<T>(look: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let pauseMs = 10; ; pauseMs *= 2) {
    const found = await look();
    if (found !== undefined || pauseMs > 640) return found;
    await sleep(pauseMs);
  }
}

/** Seconds since the epoch, as DynamoDB's TTL attribute and retention expect them. */
export const epochSeconds = (ms: number) => Math.floor(ms / 1000);

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function forEachBounded<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
