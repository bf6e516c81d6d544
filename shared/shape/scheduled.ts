/**
 * The functions run on a schedule, declared once: the CDK stack gives each an EventBridge rule, the local runtime
 * runs each on a timer (every second by default, so that tests need not wait minutes).
 */
import type { FunctionSpec } from './routes.ts';

export interface ScheduledFunction extends FunctionSpec {
  everyMinutes: number;
}

export const scheduledFunctions: readonly ScheduledFunction[] = [
  {
    /** Closes the connections whose tokens expired, quiet ones too (`shared/domain/token-expiry.ts`). */
    name: 'CloseExpiredConnections',
    entry: 'functions/scheduled/close-expired.ts',
    access: { table: { connectionExpiry: 'readWrite' }, connections: true, closesConnections: true },
    everyMinutes: 1,
  },
  {
    /** Publishes how long the oldest open report has waited, for the 24-hour alarm (`shared/domain/moderation.ts`). */
    name: 'ReportAge',
    entry: 'functions/scheduled/report-age.ts',
    access: { table: { reports: 'read' }, connections: false },
    everyMinutes: 5,
  },
];
