/** Small helpers of timing and concurrency, shared by the domain and the adapters. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
