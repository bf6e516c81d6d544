/**
 * Loads Lambda entry points and invokes them with a Lambda-like context, in this process: each invocation has
 * the function's time-out (the deployed functions' 30 s unless told otherwise) and its own invocation scope.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../shared/shape/routes.ts';

// biome-ignore lint/suspicious/noExplicitAny: entry points have their own event and result types
export type LambdaHandler = (event: any, context: Context) => Promise<any>;

export const repositoryRoot = resolve(import.meta.dirname, '..');

/** The deployed functions' time-out (`infra/constructs/chat-function.ts`). */
const defaultFunctionTimeoutMs = 30_000;

async function loadHandler(entry: string): Promise<LambdaHandler> {
  const module = (await import(pathToFileURL(resolve(repositoryRoot, entry)).href)) as {
    handler?: LambdaHandler;
  };
  if (typeof module.handler !== 'function') throw new Error(`${entry} exports no handler`);
  return module.handler;
}

export function lambdaContext(functionName: string, timeoutMs = defaultFunctionTimeoutMs): Context {
  const awsRequestId = randomUUID();
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const requestIdKey = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
const traceIdKey = Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID');

/**
 * What Lambda's Node.js runtime offers as `awslambda.InvokeStore` when one execution environment runs several
 * invocations at once: a store per invocation (an AsyncLocalStorage). Powertools keeps the Lambda context it
 * logs (`function_name`, `function_request_id`) there when `AWS_LAMBDA_MAX_CONCURRENCY` is set. Here every
 * function of the runtime shares one process and one logger, and invocations overlap, so without it the last
 * invocation to start names the function in every log line (a `sendMessage` error logged as `StreamFanOut`).
 */
class LocalInvokeStore {
  private readonly als = new AsyncLocalStorage<Record<string | symbol, unknown>>();
  getContext() {
    return this.als.getStore();
  }
  hasContext() {
    return this.als.getStore() !== undefined;
  }
  get(key: string | symbol) {
    return this.als.getStore()?.[key];
  }
  set(key: string | symbol, value: unknown) {
    const store = this.als.getStore();
    if (!store) throw new Error('No context available');
    store[key] = value;
  }
  run<T>(context: Record<string | symbol, unknown>, fn: () => T): T {
    return this.als.run(context, fn);
  }
  getRequestId() {
    return (this.get(requestIdKey) as string | undefined) ?? '-';
  }
  getXRayTraceId() {
    return this.get(traceIdKey) as string | undefined;
  }
  getTenantId() {
    return undefined;
  }
}

interface LambdaGlobal {
  awslambda?: { InvokeStore?: Pick<LocalInvokeStore, 'run'> };
}

function invokeStore(): Pick<LocalInvokeStore, 'run'> {
  const global = globalThis as LambdaGlobal;
  if (!process.env.AWS_LAMBDA_MAX_CONCURRENCY) process.env.AWS_LAMBDA_MAX_CONCURRENCY = '64';
  global.awslambda ??= {};
  global.awslambda.InvokeStore ??= new LocalInvokeStore();
  return global.awslambda.InvokeStore;
}

/**
 * This process's environment for a child process, without the concurrency `invokeStore` sets: Powertools in a
 * child that finds it looks for an invoke store at import, before any runtime of the child made one, and throws.
 */
export function environmentForChild(): NodeJS.ProcessEnv {
  const { AWS_LAMBDA_MAX_CONCURRENCY: _runtimes, ...environment } = process.env;
  return environment;
}

/** What Lambda reports for an invocation that ran out of time. */
export class FunctionTimedOut extends Error {
  constructor(functionName: string, requestId: string, timeoutMs: number) {
    super(`${functionName} ${requestId} Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
    this.name = 'FunctionTimedOut';
  }
}

export interface LocalFunctionsOptions {
  /** Every function's time-out. @default defaultFunctionTimeoutMs */
  timeoutMs?: number;
}

/** The functions of the route table, loaded once and invoked like Lambda would, with invocation counts. */
export class LocalFunctions {
  readonly invocations = new Map<string, number>();
  /** Invocations abandoned at their time-out, per function. */
  readonly timeouts = new Map<string, number>();
  readonly timeoutMs: number;
  private readonly handlers = new Map<string, LambdaHandler>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly store = invokeStore();

  constructor(options: LocalFunctionsOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? defaultFunctionTimeoutMs;
  }

  async load(specs: readonly FunctionSpec[]): Promise<void> {
    for (const spec of specs) this.handlers.set(spec.name, await loadHandler(spec.entry));
  }

  /**
   * Invokes like Lambda: at the time-out the invocation fails with `FunctionTimedOut`, and the caller (a gateway,
   * the stream poller) answers what AWS would. Lambda then stops the function; this process cannot, so the work
   * is abandoned: every adapter has answered before this point (shared/deadline.ts) and drops its later posts.
   */
  // biome-ignore lint/suspicious/noExplicitAny: see LambdaHandler
  async invoke(name: string, event: unknown): Promise<any> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`No function ${name}`);
    this.invocations.set(name, (this.invocations.get(name) ?? 0) + 1);
    const context = lambdaContext(name, this.timeoutMs);
    const running = this.store.run({ [requestIdKey]: context.awsRequestId }, () => handler(event, context));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.timeouts.set(name, (this.timeouts.get(name) ?? 0) + 1);
        const error = new FunctionTimedOut(name, context.awsRequestId, this.timeoutMs);
        console.error(error.message);
        reject(error);
      }, this.timeoutMs);
    });
    // The invocation as Lambda sees it: over at its answer or at its time-out, whichever comes first.
    const invocation = Promise.race([running, timedOut]);
    this.running.add(invocation);
    try {
      return await invocation;
    } finally {
      clearTimeout(timer);
      this.running.delete(invocation);
    }
  }

  /** Waits for the invocations under way (for a clean stop); abandoned ones are not waited for. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
