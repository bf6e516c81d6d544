/** The one DynamoDB table, built from the shared table definition: keys, TTL, stream and indexes. */
import type { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { tableDefinition } from '../../shared/shape/table.ts';

export interface ChatTableProps {
  /** Refuse to delete the table (CloudFormation and API alike). */
  readonly deletionProtection: boolean;
  /** What happens to the table when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * On-demand, encrypted, with point-in-time recovery and a new-and-old-images stream; every index of
 * `tableDefinition` projects all attributes. Declared in `scope` itself (no scope of its own), so the table keeps
 * the logical id `Table` that deployed stacks have.
 */
export class ChatTable {
  readonly table: Table;

  constructor(scope: Construct, props: ChatTableProps) {
    this.table = new Table(scope, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType[tableDefinition.streamViewType],
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    for (const index of tableDefinition.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }
}
