/**
 * `npm run ops:status -- --stage prod [--region eu-west-1] [--json]`: the stage's table, queues and hot-state
 * cache side by side, read from its stack's outputs. Exit code 0 when healthy, 1 when something is not (a
 * dead-letter queue holds messages, the cache is not `available`, ...), 2 when it could not tell (no such
 * stack, no access, bad arguments): a pipeline can gate on it.
 */
import { runOpsStatus } from './ops-status/command.ts';
import { createOpsClients } from './ops-status/stack-status.ts';

process.exitCode = await runOpsStatus(process.argv.slice(2), createOpsClients, console);
