/** Loads Lambda entry points and invokes them with a Lambda-like context, in this process. */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../shared/shape/routes.ts';

// biome-ignore lint/suspicious/noExplicitAny: entry points have their own event and result types
export type LambdaHandler = (event: any, context: Context) => Promise<any>;

export const repositoryRoot = resolve(import.meta.dirname, '..');

async function loadHandler(entry: string): Promise<LambdaHandler> {
  const module = (await import(pathToFileURL(resolve(repositoryRoot, entry)).href)) as {
    handler?: LambdaHandler;
  };
  if (typeof module.handler !== 'function') throw new Error(`${entry} exports no handler`);
  return module.handler;
}

export function lambdaContext(functionName: string): Context {
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The functions of the route table, loaded once and invoked like Lambda would, with invocation counts. */
export class LocalFunctions {
  readonly invocations = new Map<string, number>();
  private readonly handlers = new Map<string, LambdaHandler>();
  private readonly running = new Set<Promise<unknown>>();

  async load(specs: readonly FunctionSpec[]): Promise<void> {
    for (const spec of specs) this.handlers.set(spec.name, await loadHandler(spec.entry));
  }

  // biome-ignore lint/suspicious/noExplicitAny: see LambdaHandler
  async invoke(name: string, event: unknown): Promise<any> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`No function ${name}`);
    this.invocations.set(name, (this.invocations.get(name) ?? 0) + 1);
    const running = handler(event, lambdaContext(name));
    this.running.add(running);
    try {
      return await running;
    } finally {
      this.running.delete(running);
    }
  }

  /** Waits for the invocations under way (for a clean stop). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
