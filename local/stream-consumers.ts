/**
 * The table stream's two consumers, as their event source mappings run them in AWS: the fan-out, and the domain
 * event publisher, each with its own filter criteria, its own position in the stream and its own dead letters.
 */
import { join } from 'node:path';
import { eventPublisher, fanOutConsumer } from '../shared/shape/routes.ts';
import { eventPublisherFilterPatterns, fanOutFilterPatterns } from '../shared/shape/table.ts';
import type { LocalFunctions } from './lambda.ts';
import { StreamPoller } from './stream-poller.ts';

export interface StreamConsumersOptions {
  endpoint: string;
  streamArn: string;
  functions: LocalFunctions;
  pollIntervalMs: number;
  /** Hold each record this long before a consumer gets it, like AWS's stream hop. */
  delayMs: number;
  /** The runtime's kept data folder, where each consumer keeps its checkpoint. @default none (in memory) */
  dataDir?: string;
}

export interface StreamConsumers {
  fanOut: StreamPoller;
  events: StreamPoller;
}

export function createStreamConsumers(options: StreamConsumersOptions): StreamConsumers {
  const poller = (consumerName: string, filterPatterns: readonly object[], checkpoint: string) =>
    new StreamPoller({
      endpoint: options.endpoint,
      streamArn: options.streamArn,
      functions: options.functions,
      consumerName,
      filterPatterns,
      pollIntervalMs: options.pollIntervalMs,
      batchSize: 100,
      maxRetries: 3,
      // A kept data folder keeps the stream too: resume after the last batch handled, as a mapping does.
      startingPosition: options.dataDir ? 'LATEST' : 'TRIM_HORIZON',
      delayMs: options.delayMs,
      ...(options.dataDir ? { checkpointFile: join(options.dataDir, checkpoint) } : {}),
    });
  return {
    fanOut: poller(fanOutConsumer.name, fanOutFilterPatterns, 'stream-checkpoint.json'),
    events: poller(eventPublisher.name, eventPublisherFilterPatterns, 'event-stream-checkpoint.json'),
  };
}
