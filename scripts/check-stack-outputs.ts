/**
 * `tsx scripts/check-stack-outputs.ts <outputs.json> [cdk.out]`: fails unless every output that the synthesized
 * template declares came back from the deploy with a value. LocalStack's CloudFormation skips resource types
 * that its plan lacks (API Gateway v2 and Cognito outside the paid plans) and still reports success; the
 * outputs of the skipped resources are then missing, and this check is what makes such a deploy fail loudly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Stack name → output name → value, as `cdk deploy --outputs-file` writes it. */
export type OutputsFile = Record<string, Record<string, string>>;

/** Per stack, the template's outputs that the deploy did not answer with a value. */
export function missingOutputs(
  deployed: OutputsFile,
  declaredOutputs: (stackName: string) => string[],
): Record<string, string[]> {
  const missing: Record<string, string[]> = {};
  for (const [stackName, outputs] of Object.entries(deployed)) {
    const absent = declaredOutputs(stackName).filter((name) => !outputs[name]);
    if (absent.length > 0) missing[stackName] = absent;
  }
  return missing;
}

/** The output names a synthesized stack template declares. */
export function templateOutputs(cdkOut: string, stackName: string): string[] {
  const template = JSON.parse(readFileSync(join(cdkOut, `${stackName}.template.json`), 'utf8')) as {
    Outputs?: Record<string, unknown>;
  };
  return Object.keys(template.Outputs ?? {});
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [outputsPath, cdkOut = 'cdk.out'] = process.argv.slice(2);
  if (!outputsPath) {
    console.error('Usage: tsx scripts/check-stack-outputs.ts <outputs.json> [cdk.out]');
    process.exit(2);
  }
  const deployed = JSON.parse(readFileSync(outputsPath, 'utf8')) as OutputsFile;
  const missing = missingOutputs(deployed, (stackName) => templateOutputs(cdkOut, stackName));
  if (Object.keys(deployed).length === 0) {
    console.error(`${outputsPath} names no stack: the deploy wrote no outputs.`);
    process.exit(1);
  }
  for (const [stackName, names] of Object.entries(missing)) {
    console.error(
      `${stackName} deployed without ${names.join(', ')}. On LocalStack this means its plan lacks a service ` +
        'the stack needs (API Gateway v2 for the APIs, Cognito for the user pool): the resources were skipped.',
    );
  }
  if (Object.keys(missing).length > 0) process.exit(1);
  console.log(JSON.stringify(deployed, null, 2));
}
