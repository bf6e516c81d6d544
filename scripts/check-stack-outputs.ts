/**
 * `tsx scripts/check-stack-outputs.ts <outputs.json> [cdk.out]`: fails unless every output that the synthesized
 * template declares came back from the deploy with a value. LocalStack's CloudFormation skips resource types
 * that its plan lacks (API Gateway v2 and Cognito outside the paid plans) and still reports success; the
 * outputs of the skipped resources are then missing, and this check is what makes such a deploy fail loudly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [outputsPath, cdkOut = 'cdk.out'] = process.argv.slice(2);
if (!outputsPath) {
  console.error('Usage: tsx scripts/check-stack-outputs.ts <outputs.json> [cdk.out]');
  process.exit(2);
}

/** Stack name → output name → value, as `cdk deploy --outputs-file` writes it (stacks without outputs left out). */
const deployed = JSON.parse(readFileSync(outputsPath, 'utf8')) as Record<string, Record<string, string>>;
const manifest = JSON.parse(readFileSync(join(cdkOut, 'manifest.json'), 'utf8')) as {
  artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
};
/** Every stack of the synthesized app, with its template. */
const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');

let complete = true;
for (const [stackName, artifact] of stacks) {
  const templateFile = artifact.properties?.templateFile ?? `${stackName}.template.json`;
  const template = JSON.parse(readFileSync(join(cdkOut, templateFile), 'utf8')) as {
    Outputs?: Record<string, unknown>;
  };
  const outputs = deployed[stackName] ?? {};
  const missing = Object.keys(template.Outputs ?? {}).filter((name) => !outputs[name]);
  if (missing.length === 0) continue;
  complete = false;
  console.error(
    `${stackName} deployed without ${missing.join(', ')}. On LocalStack this means its plan lacks a service ` +
      'the stack needs (API Gateway v2 for the APIs, Cognito for the user pool): the resources were skipped.',
  );
}
if (!complete) process.exit(1);
console.log(JSON.stringify(deployed, null, 2));
