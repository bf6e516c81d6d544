/** A CDK app made as the CLI makes it: the context of `cdk.json` (feature flags included) plus a deploy's own. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';

const cdkJson = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/** `bundle: false` skips esbuild (the template is the same apart from asset hashes). */
export function cdkApp(context: Record<string, unknown>, { bundle = true } = {}): App {
  return new App({
    outdir: mkdtempSync(join(tmpdir(), 'cdk-')),
    context: { ...cdkJson.context, ...context, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
}
