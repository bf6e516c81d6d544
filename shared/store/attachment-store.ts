/**
 * Attachment records in DynamoDB: one item per issued upload (`CONV#c/ATTACH#a`), beside the conversation's
 * other items, so an id of another conversation names nothing here. A send claims its attachments in one
 * transaction, each conditional on being pending (or claimed by that same send), so two messages never share
 * one. A pending record's TTL is a day after issue; an attached one's the conversation's retention.
 */
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds, sleep } from '../async.ts';
import type {
  AttachmentRecord,
  AttachmentRepository,
  AttachmentState,
  ClaimOutcome,
  ImageSize,
} from '../domain/attachment-ports.ts';
import { entityTypes } from '../shape/table.ts';
import {
  type AdapterOperations,
  batchGet,
  cancellationCodes,
  conditionally,
  type Item,
  isConditionFailure,
  type TableContext,
} from './dynamo.ts';
import { keys } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`); a transaction's updates are each `UpdateItem`. */
export const attachmentStoreOperations = {
  read: ['BatchGetItem'],
  write: ['PutItem', 'UpdateItem', 'DeleteItem'],
  index: false,
} as const satisfies AdapterOperations;

const maxClaimAttempts = 3;

type Options<K extends keyof AttachmentRepository> = Parameters<AttachmentRepository[K]>[0];

function toRecord(item: Item): AttachmentRecord {
  return {
    conversationId: item.conversationId as string,
    attachmentId: item.attachmentId as string,
    uploaderId: item.uploaderId as string,
    fileName: item.fileName as string,
    contentType: item.contentType as string,
    declaredSize: item.declaredSize as number,
    state: item.state as AttachmentState,
    createdAt: item.createdAt as string,
    ...(item.claimedBy === undefined ? {} : { claimedBy: item.claimedBy as string }),
    ...(item.ttl === undefined ? {} : { expiresAt: item.ttl as number }),
    ...(item.preview === undefined ? {} : { preview: item.preview as ImageSize }),
  };
}

export class AttachmentStore implements AttachmentRepository {
  constructor(private readonly table: TableContext) {}

  async create(record: AttachmentRecord): Promise<void> {
    const { expiresAt, ...rest } = record;
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          ...keys.attachment(record.conversationId, record.attachmentId),
          entity: entityTypes.attachment,
          ...rest,
          ...(expiresAt === undefined ? {} : { ttl: expiresAt }),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** One BatchGetItem, strongly consistent (an upload is named moments after it is issued); expired ones left out. */
  async getMany({ conversationId, attachmentIds }: Options<'getMany'>): Promise<AttachmentRecord[]> {
    const items = await batchGet(
      this.table,
      attachmentIds.map((attachmentId) => keys.attachment(conversationId, attachmentId)),
      { consistent: true },
    );
    const now = epochSeconds(Date.now());
    return items.map(toRecord).filter((record) => record.expiresAt === undefined || record.expiresAt > now);
  }

  /**
   * Transactions racing for one item may each be cancelled with `TransactionConflict` (no condition failed):
   * tried again a few times, after which the error goes up (a retry of the send is safe).
   */
  async claim(options: Options<'claim'>): Promise<ClaimOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.claimOnce(options);
      } catch (error) {
        const conflicted = cancellationCodes(error)?.includes('TransactionConflict');
        if (!conflicted || attempt >= maxClaimAttempts) throw error;
        await sleep(20 * attempt * Math.random());
      }
    }
  }

  private async claimOnce(options: Options<'claim'>): Promise<ClaimOutcome> {
    const { conversationId, attachmentIds, uploaderId, clientMessageId, expiresAt } = options;
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: attachmentIds.map((attachmentId) => ({
            Update: {
              TableName: this.table.tableName,
              Key: keys.attachment(conversationId, attachmentId),
              UpdateExpression:
                expiresAt === undefined
                  ? 'SET #state = :attached, claimedBy = :send REMOVE #ttl'
                  : 'SET #state = :attached, claimedBy = :send, #ttl = :ttl',
              ConditionExpression:
                'attribute_exists(pk) AND uploaderId = :uploader AND (#state = :pending OR claimedBy = :send)',
              ExpressionAttributeNames: { '#state': 'state', '#ttl': 'ttl' },
              ExpressionAttributeValues: {
                ':attached': 'attached',
                ':pending': 'pending',
                ':send': clientMessageId,
                ':uploader': uploaderId,
                ...(expiresAt === undefined ? {} : { ':ttl': expiresAt }),
              },
            },
          })),
        }),
      );
      return { outcome: 'claimed' };
    } catch (error) {
      const codes = cancellationCodes(error);
      const failed = codes?.indexOf('ConditionalCheckFailed') ?? -1;
      const attachmentId = attachmentIds[failed];
      if (attachmentId === undefined) throw error;
      return { outcome: 'taken', attachmentId };
    }
  }

  /** One conditional update per attachment: only those this send holds go back. */
  async release({ conversationId, attachmentIds, clientMessageId, expiresAt }: Options<'release'>) {
    await Promise.all(
      attachmentIds.map((attachmentId) =>
        conditionally(
          this.table.client.send(
            new UpdateCommand({
              TableName: this.table.tableName,
              Key: keys.attachment(conversationId, attachmentId),
              UpdateExpression: 'SET #state = :pending, #ttl = :ttl REMOVE claimedBy',
              ConditionExpression: 'claimedBy = :send',
              ExpressionAttributeNames: { '#state': 'state', '#ttl': 'ttl' },
              ExpressionAttributeValues: {
                ':pending': 'pending',
                ':send': clientMessageId,
                ':ttl': expiresAt,
              },
            }),
          ),
        ),
      ),
    );
  }

  async recordPreview({ conversationId, attachmentId, preview }: Options<'recordPreview'>) {
    try {
      const answer = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.attachment(conversationId, attachmentId),
          UpdateExpression: 'SET preview = :preview',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':preview': preview },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return answer.Attributes ? toRecord(answer.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async remove({ conversationId, attachmentIds }: Options<'remove'>): Promise<void> {
    await Promise.all(
      attachmentIds.map((attachmentId) =>
        this.table.client.send(
          new DeleteCommand({
            TableName: this.table.tableName,
            Key: keys.attachment(conversationId, attachmentId),
          }),
        ),
      ),
    );
  }
}
