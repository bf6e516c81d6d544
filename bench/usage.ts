/**
 * What a system under test did during a scenario: DynamoDB calls and capacity (from the counting proxy),
 * function invocations and their wall time, and frames pushed to connections. Taken as counter deltas.
 */
import type { DynamoCounts } from './dynamo-proxy.ts';
import { round3 } from './stats.ts';

export interface CounterSnapshot {
  dynamo: DynamoCounts;
  /** Invocations and summed wall time per function. */
  invocations: Record<string, { count: number; totalMs: number }>;
  /** Frames pushed to WebSocket connections (`@connections` POSTs). */
  posts: number;
  /** Domain events put on the event bus (EventBridge bills each one under 64 KB as one). */
  events: number;
}

export interface SystemProbe {
  snapshot(): CounterSnapshot;
}

export interface Usage {
  dynamoCalls: number;
  /** Calls DynamoDB answered with an error: failed conditions, cancelled transactions, throttling. */
  dynamoFailedCalls: number;
  readUnits: number;
  writeUnits: number;
  dynamoByOperation: DynamoCounts;
  invocations: number;
  invocationMs: number;
  invocationsByFunction: Record<string, { count: number; meanMs: number }>;
  posts: number;
  events: number;
}

export function usageBetween(before: CounterSnapshot, after: CounterSnapshot): Usage {
  const dynamoByOperation: DynamoCounts = {};
  for (const [operation, now] of Object.entries(after.dynamo)) {
    const then = before.dynamo[operation] ?? { calls: 0, failed: 0, readUnits: 0, writeUnits: 0, totalMs: 0 };
    if (now.calls === then.calls) continue;
    dynamoByOperation[operation] = {
      calls: now.calls - then.calls,
      failed: now.failed - then.failed,
      readUnits: round3(now.readUnits - then.readUnits),
      writeUnits: round3(now.writeUnits - then.writeUnits),
      totalMs: round3(now.totalMs - then.totalMs),
    };
  }
  const invocationsByFunction: Usage['invocationsByFunction'] = {};
  let invocationMs = 0;
  for (const [name, now] of Object.entries(after.invocations)) {
    const then = before.invocations[name] ?? { count: 0, totalMs: 0 };
    const count = now.count - then.count;
    if (count === 0) continue;
    invocationMs += now.totalMs - then.totalMs;
    invocationsByFunction[name] = { count, meanMs: round3((now.totalMs - then.totalMs) / count) };
  }
  const operations = Object.values(dynamoByOperation);
  const sum = (pick: (o: (typeof operations)[number]) => number) =>
    operations.reduce((t, o) => t + pick(o), 0);
  return {
    dynamoCalls: sum((o) => o.calls),
    dynamoFailedCalls: sum((o) => o.failed),
    readUnits: round3(sum((o) => o.readUnits)),
    writeUnits: round3(sum((o) => o.writeUnits)),
    dynamoByOperation,
    invocations: Object.values(invocationsByFunction).reduce((t, f) => t + f.count, 0),
    invocationMs: round3(invocationMs),
    invocationsByFunction,
    posts: after.posts - before.posts,
    events: after.events - before.events,
  };
}

export interface UsagePerUnit {
  dynamoCalls: number;
  dynamoFailedCalls: number;
  readUnits: number;
  writeUnits: number;
  invocations: number;
  /** Summed function wall time, the basis of the Lambda GB-second estimate. */
  invocationMs: number;
  posts: number;
  events: number;
}

/** The usage divided by a count (messages sent, deliveries, requests). */
export function usagePer(usage: Usage, units: number): UsagePerUnit {
  const per = (value: number) => (units === 0 ? 0 : round3(value / units));
  return {
    dynamoCalls: per(usage.dynamoCalls),
    dynamoFailedCalls: per(usage.dynamoFailedCalls),
    readUnits: per(usage.readUnits),
    writeUnits: per(usage.writeUnits),
    invocations: per(usage.invocations),
    invocationMs: per(usage.invocationMs),
    posts: per(usage.posts),
    events: per(usage.events),
  };
}
