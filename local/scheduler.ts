/**
 * Runs the scheduled functions (`shared/shape/scheduled.ts`) on a timer with the event an EventBridge schedule
 * sends: every `intervalMs` instead of every `everyMinutes`, and never two runs of one function at once.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledFunction } from '../shared/shape/scheduled.ts';
import type { LocalFunctions } from './lambda.ts';

export class LocalScheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly functions: LocalFunctions,
    private readonly specs: readonly ScheduledFunction[],
    private readonly intervalMs: number,
  ) {}

  start(): void {
    for (const spec of this.specs) {
      let run: Promise<void> | undefined;
      const tick = () => {
        if (run) return;
        run = this.invoke(spec).finally(() => {
          this.running.delete(run as Promise<void>);
          run = undefined;
        });
        this.running.add(run);
      };
      this.timers.push(setInterval(tick, this.intervalMs));
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.allSettled([...this.running]);
  }

  private async invoke(spec: ScheduledFunction): Promise<void> {
    try {
      await this.functions.invoke(spec.name, {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'local',
        resources: [`arn:aws:events:local:000000000000:rule/${spec.name}`],
        detail: {},
      });
    } catch (error) {
      // As a failed scheduled invocation in AWS: logged, and the next one comes at its time.
      console.error(`${spec.name} failed: ${(error as Error).message}`);
    }
  }
}
