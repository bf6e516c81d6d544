/**
 * Reports in DynamoDB. All reports of one message form a group (`REPORT#<id>/REPORT`: count, reasons, first time,
 * status), found from the message through a pointer beside it (`CONV#c/REPORTED#<messageId>`); each reporter's
 * own report is an item in the group's partition (`BY#<user>`), which makes a second report by the same user a
 * no-op. Groups sit on the inbox index under `REPORTS#open` or `REPORTS#resolved`, ordered by time, so the
 * moderators' queue is one Query, oldest first.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  NewReport,
  ReportGroup,
  ReportPage,
  ReportReason,
  ReportRepository,
  ReportStatus,
  ResolutionAction,
} from '../domain/moderation-ports.ts';
import { entityTypes, inboxIndexName } from '../shape/table.ts';
import { decodeCursor, encodeCursor } from './conversation-items.ts';
import {
  type AdapterOperations,
  cancellationCodes,
  type Item,
  isConditionFailure,
  type TableContext,
} from './dynamo.ts';
import { keys } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`): a report is one transaction, the queue one Query. */
export const reportStoreOperations = {
  read: ['GetItem', 'Query'],
  write: ['PutItem', 'UpdateItem'],
  index: true,
} as const satisfies AdapterOperations;

type Options<K extends keyof ReportRepository> = Parameters<ReportRepository[K]>[0];

/** A report races another report creating the same message's group at most this often before it wins. */
const maxRaces = 5;

const queueItems = { pkPrefix: keys.report('').pk, skPrefix: keys.report('').sk };

function toReportGroup(item: Item): ReportGroup {
  return {
    reportId: item.reportId as string,
    conversationId: item.conversationId as string,
    messageId: item.messageId as string,
    reportedUserId: item.reportedUserId as string,
    reporterCount: item.reporterCount as number,
    reasons: [...((item.reasons as Set<ReportReason> | undefined) ?? [])].sort(),
    firstReportedAt: item.firstReportedAt as string,
    status: item.status as ReportStatus,
    ...(item.resolvedAt
      ? {
          resolution: {
            action: item.resolution as ResolutionAction,
            by: item.resolvedBy as string,
            at: item.resolvedAt as string,
          },
        }
      : {}),
  };
}

export class ReportStore implements ReportRepository {
  constructor(private readonly table: TableContext) {}

  async report(report: NewReport): Promise<{ reportId: string; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const existing = await this.get(keys.reportedMessage(report.conversationId, report.messageId));
      const groupId = (existing?.reportId as string | undefined) ?? report.newGroupId;
      const group = existing ? await this.get(keys.report(groupId)) : undefined;
      try {
        await this.table.client.send(
          new TransactWriteCommand({ TransactItems: this.reportWrites(report, groupId, group, !existing) }),
        );
        return { reportId: report.newReportId, created: true };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        if (codes[0] === 'ConditionalCheckFailed') {
          const mine = await this.get(keys.reporter(groupId, report.reporterId));
          if (mine) return { reportId: mine.reportId as string, created: false };
        }
        // Another report created the group, or resolved or counted it, meanwhile: read again.
        if (attempt + 1 >= maxRaces) throw error;
      }
    }
  }

  /**
   * The reporter's own report (must be new), the group's count and reasons, and for a new group the message's
   * pointer to it. Reports of an open group add to it whatever their number at once; creating a group and
   * reopening a resolved one are conditional on what was read, so two reports never both do it.
   */
  private reportWrites(report: NewReport, groupId: string, group: Item | undefined, newGroup: boolean) {
    const { tableName } = this.table;
    const state = !group ? 'new' : group.status === 'resolved' ? 'reopening' : 'open';
    // A new group, or a resolved one reported again, starts its first time and its place in the queue now.
    const queue = keys.reportQueue('open', report.at, groupId);
    const restart = state === 'open' ? [] : ['firstReportedAt = :at', 'gsi1pk = :queue', 'gsi1sk = :place'];
    const set = [
      'entity = :entity',
      'reportId = :id',
      'conversationId = :conversation',
      'messageId = :message',
      'reportedUserId = :reported',
      '#status = :open',
      ...restart,
    ];
    return [
      {
        Put: {
          TableName: tableName,
          Item: {
            ...keys.reporter(groupId, report.reporterId),
            entity: entityTypes.reporter,
            reportId: report.newReportId,
            reason: report.reason,
            ...(report.note ? { note: report.note } : {}),
            at: report.at,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: tableName,
          Key: keys.report(groupId),
          UpdateExpression: [
            `SET ${set.join(', ')}`,
            'ADD reporterCount :one, reasons :reason',
            ...(state === 'reopening' ? ['REMOVE resolution, resolvedBy, resolvedAt'] : []),
          ].join(' '),
          ConditionExpression: {
            new: 'attribute_not_exists(pk)',
            open: '#status = :open',
            reopening: '#status = :resolved',
          }[state],
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':entity': entityTypes.report,
            ':id': groupId,
            ':conversation': report.conversationId,
            ':message': report.messageId,
            ':reported': report.reportedUserId,
            ':open': 'open',
            ':one': 1,
            ':reason': new Set([report.reason]),
            ...(state === 'open' ? {} : { ':at': report.at, ':queue': queue.gsi1pk, ':place': queue.gsi1sk }),
            ...(state === 'reopening' ? { ':resolved': 'resolved' } : {}),
          },
        },
      },
      ...(newGroup
        ? [
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...keys.reportedMessage(report.conversationId, report.messageId),
                  entity: entityTypes.reportedMessage,
                  reportId: groupId,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ]
        : []),
    ];
  }

  async list({ status, limit, cursor }: Options<'list'>): Promise<ReportPage> {
    const partition = keys.reportQueuePartition(status);
    const answer = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: inboxIndexName,
        KeyConditionExpression: 'gsi1pk = :queue',
        ExpressionAttributeValues: { ':queue': partition },
        // The open queue oldest first (the 24-hour promise); resolved ones the latest first.
        ScanIndexForward: status === 'open',
        Limit: limit,
        ExclusiveStartKey: cursor ? decodeCursor(cursor, partition, queueItems) : undefined,
      }),
    );
    return {
      items: (answer.Items ?? []).map(toReportGroup),
      ...(answer.LastEvaluatedKey ? { cursor: encodeCursor(answer.LastEvaluatedKey) } : {}),
    };
  }

  async resolve({
    reportId,
    action,
    by,
    at,
  }: Options<'resolve'>): Promise<'resolved' | 'not-found' | 'not-open'> {
    const queue = keys.reportQueue('resolved', at, reportId);
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.report(reportId),
          UpdateExpression:
            'SET #status = :resolved, resolution = :action, resolvedBy = :by, resolvedAt = :at, gsi1pk = :queue, gsi1sk = :place',
          ConditionExpression: 'attribute_exists(pk) AND #status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':resolved': 'resolved',
            ':open': 'open',
            ':action': action,
            ':by': by,
            ':at': at,
            ':queue': queue.gsi1pk,
            ':place': queue.gsi1sk,
          },
        }),
      );
      return 'resolved';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return (await this.get(keys.report(reportId))) ? 'not-open' : 'not-found';
    }
  }

  async oldestOpenReportedAt(): Promise<string | undefined> {
    const { items } = await this.list({ status: 'open', limit: 1 });
    return items[0]?.firstReportedAt;
  }

  private async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const answer = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: key, ConsistentRead: true }),
    );
    return answer.Item;
  }
}
