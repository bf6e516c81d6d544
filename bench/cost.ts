/**
 * Cost per million sent messages, from the measured counts and the dated price table in `prices.json`, next to
 * what hosted services charge for the same traffic. Connection-minutes are left out: they depend on how long
 * clients stay connected, not on messages, and every option charges them in some form.
 */
import { readFileSync } from 'node:fs';
import type { MessagingResult } from './messaging.ts';

export interface PriceTable {
  checkedOn: string;
  region: string;
  notes: string;
  aws: {
    apiGatewayWebSocket: { perMillionMessages: number; perMillionConnectionMinutes: number };
    lambda: { perMillionRequests: number; perGbSecondArm64: number };
    dynamoDbOnDemand: { perMillionWriteRequestUnits: number; perMillionReadRequestUnits: number };
    eventBridge: { perMillionCustomEvents: number };
    comprehendToxicity: { perUnit: number; unitCharacters: number; minimumUnitsPerRequest: number };
    sqs: { perMillionRequests: number; requestsPerJob: number };
    snsMobilePush: { perMillionDeliveries: number };
    elastiCacheServerlessValkey: { perGbHour: number; minimumGb: number; perMillionEcpus: number };
  };
  hosted: {
    ably: { perMillionMessages: number };
    pubnub: { perPublish: number; perReceivingSubscriber: number };
    appSyncEvents: { perMillionOperations: number };
  };
  assumptions: { lambdaMemoryMb: number };
}

export const loadPrices = (): PriceTable =>
  JSON.parse(readFileSync(new URL('./prices.json', import.meta.url), 'utf8')) as PriceTable;

export interface CostPerMillion {
  scenario: string;
  /** Connections that receive each message, the sender's own included (its ack; an echo in pub/sub). */
  subscribersPerMessage: number;
  apiGatewayMessagesPerMessage: number;
  aws: {
    apiGateway: number;
    lambdaRequests: number;
    lambdaCompute: number;
    dynamoDb: number;
    /** The domain events of the messages (`chat.message.created`), on the stack's custom bus. */
    eventBridge: number;
    total: number;
  };
  hosted: { ably: number; pubnub: number; appSyncEvents: number };
}

const cents = (dollars: number) => Math.round(dollars * 100) / 100;

export function costPerMillion(
  scenario: string,
  result: MessagingResult,
  prices: PriceTable,
): CostPerMillion {
  const { perMessage } = result;
  const { aws, hosted } = prices;
  const subscribers = (result.deliveries + result.acked) / Math.max(1, result.sent);
  const gbSecondsPerMessage = (perMessage.invocationMs / 1000) * (prices.assumptions.lambdaMemoryMb / 1024);
  const awsCost = {
    apiGateway: result.apiGatewayMessagesPerMessage * aws.apiGatewayWebSocket.perMillionMessages,
    lambdaRequests: perMessage.invocations * aws.lambda.perMillionRequests,
    lambdaCompute: gbSecondsPerMessage * aws.lambda.perGbSecondArm64 * 1e6,
    dynamoDb:
      perMessage.writeUnits * aws.dynamoDbOnDemand.perMillionWriteRequestUnits +
      perMessage.readUnits * aws.dynamoDbOnDemand.perMillionReadRequestUnits,
    eventBridge: perMessage.events * aws.eventBridge.perMillionCustomEvents,
  };
  const total = Object.values(awsCost).reduce((sum, part) => sum + part, 0);
  return {
    scenario,
    subscribersPerMessage: Math.round(subscribers * 100) / 100,
    apiGatewayMessagesPerMessage: result.apiGatewayMessagesPerMessage,
    aws: {
      apiGateway: cents(awsCost.apiGateway),
      lambdaRequests: cents(awsCost.lambdaRequests),
      lambdaCompute: cents(awsCost.lambdaCompute),
      dynamoDb: cents(awsCost.dynamoDb),
      eventBridge: cents(awsCost.eventBridge),
      total: cents(total),
    },
    hosted: {
      ably: cents((1 + subscribers) * hosted.ably.perMillionMessages),
      pubnub: cents((hosted.pubnub.perPublish + subscribers * hosted.pubnub.perReceivingSubscriber) * 1e6),
      appSyncEvents: cents((1 + subscribers) * hosted.appSyncEvents.perMillionOperations),
    },
  };
}
