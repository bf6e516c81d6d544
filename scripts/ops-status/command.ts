/** The command itself, apart from the process: arguments in, lines out, the exit code back. */
import { parseArgs } from 'node:util';
import { renderStatus } from './render.ts';
import { type OpsClients, readStackStatus, stackNameOf } from './stack-status.ts';

const usage = 'Usage: npm run ops:status -- --stage <stage> [--region <region>] [--json]';

interface Console {
  log(text: string): void;
  error(text: string): void;
}

/** 0 when the stage is healthy, 1 when it is not, 2 when it could not tell (no such stack, no access, bad arguments). */
export async function runOpsStatus(
  args: string[],
  clientsFor: (region: string | undefined) => OpsClients,
  console: Console,
): Promise<number> {
  let options: { stage?: string | undefined; region?: string | undefined; json?: boolean | undefined };
  try {
    ({ values: options } = parseArgs({
      args,
      options: { stage: { type: 'string' }, region: { type: 'string' }, json: { type: 'boolean' } },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (!options.stage) {
    console.error(usage);
    return 2;
  }
  try {
    const status = await readStackStatus(clientsFor(options.region), stackNameOf(options.stage));
    console.log(options.json ? JSON.stringify(status, null, 2) : renderStatus(status));
    return status.healthy ? 0 : 1;
  } catch (error) {
    // No such stack, no credentials or region, access denied: the stage's health is unknown, which gates too.
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
}
