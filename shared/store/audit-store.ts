/**
 * The audit trail in DynamoDB: one item per moderator action, under a partition per day (`AUDIT#yyyy-mm-dd`),
 * ordered by time. Entries are only ever put, never over an existing one, and no route updates or deletes them.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditTrail } from '../domain/moderation-ports.ts';
import { entityTypes } from '../shape/table.ts';
import type { AdapterOperations, TableContext } from './dynamo.ts';
import { keys } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`): appending only. */
export const auditStoreOperations = {
  read: [],
  write: ['PutItem'],
  index: false,
} as const satisfies AdapterOperations;

export class AuditStore implements AuditTrail {
  constructor(private readonly table: TableContext) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: { ...keys.audit(entry.at, entry.entryId), entity: entityTypes.audit, ...entry },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}
