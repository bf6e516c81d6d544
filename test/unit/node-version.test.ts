import { describe, expect, it } from 'vitest';
import { lambdaRuntime } from '../../infra/constructs/chat-function.ts';

describe('the Node.js the tests run on', () => {
  it('is at least the Lambda runtime the functions deploy to (the project ships its own through npm)', () => {
    const lambdaMajor = Number(/^nodejs(\d+)\.x$/.exec(lambdaRuntime.name)?.[1]);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(lambdaMajor);
  });
});
