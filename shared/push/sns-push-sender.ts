/**
 * Pushes through Amazon SNS mobile push: one platform application per service (APNs token auth, FCM HTTP v1),
 * one platform endpoint per device token, kept on the device. The endpoint life cycle is SNS's own advice:
 * create it once (CreatePlatformEndpoint is idempotent for a token; an endpoint of the same token with other
 * attributes is taken over), and when the app registered its token again, read it and set the token and
 * `Enabled` back (re-enable). An endpoint SNS disabled without a new registration since means APNs or FCM
 * rejected its token: it is deleted and the caller forgets the device.
 */
import {
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  GetEndpointAttributesCommand,
  PublishCommand,
  SetEndpointAttributesCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { sleep } from '../async.ts';
import type { Device, PushNotification, PushOutcome, PushPlatform, PushSender } from '../domain/ports.ts';

/** Platform application ARNs by platform; a platform without one gets no pushes. */
type PlatformApplications = Partial<Record<PushPlatform, string>>;

export interface SnsPushSenderOptions {
  client: SNSClient;
  applications: PlatformApplications;
  /** Tries of one SNS call when it is throttled or fails on SNS's side. @default 4 */
  maxAttempts?: number;
  baseDelayMs?: number;
}

const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name;

function isRetryable(error: unknown): boolean {
  const name = errorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  return (
    name === 'ThrottledException' ||
    name === 'ThrottlingException' ||
    name === 'InternalErrorException' ||
    status === 429 ||
    status >= 500
  );
}

/** SNS's answer when an endpoint of the token exists with other attributes names that endpoint. */
const existingEndpoint = /Endpoint (arn:aws[\w-]*:sns:\S+) already exists with the same [Tt]oken/;

/** The payload of each service, as SNS's `MessageStructure: json` takes it. */
function snsMessageOf(notification: PushNotification): string {
  const { conversationId, messageId, title, body, badge } = notification;
  const apns = JSON.stringify({
    aps: { alert: { title, body }, badge, sound: 'default', 'thread-id': conversationId },
    conversationId,
    messageId,
  });
  const fcm = JSON.stringify({
    fcmV1Message: {
      message: {
        notification: { title, body },
        data: { conversationId, messageId, badge: String(badge) },
        // The device shows one notification per conversation: a newer one replaces it.
        android: {
          collapse_key: conversationId,
          notification: { tag: conversationId, notification_count: badge },
        },
      },
    },
  });
  return JSON.stringify({ default: body, APNS: apns, APNS_SANDBOX: apns, GCM: fcm });
}

export class SnsPushSender implements PushSender {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(private readonly options: SnsPushSenderOptions) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 100;
  }

  async send(device: Device, notification: PushNotification): Promise<PushOutcome> {
    const application = this.options.applications[device.platform];
    if (!application) return { outcome: 'unconfigured' };
    let endpoint = device.endpoint;
    if (!endpoint) endpoint = await this.createEndpoint(application, device.token);
    else if (device.endpointStale) endpoint = await this.refreshEndpoint(application, endpoint, device.token);
    try {
      await this.publish(endpoint, notification);
    } catch (error) {
      if (errorName(error) === 'EndpointDisabledException') {
        await this.call((sns) => sns.send(new DeleteEndpointCommand({ EndpointArn: endpoint }))).catch(
          () => undefined,
        );
        return { outcome: 'invalid' };
      }
      if (errorName(error) !== 'NotFoundException') throw error;
      // Deleted meanwhile (by hand, or by another device of the same token): made again for this token.
      endpoint = await this.createEndpoint(application, device.token);
      await this.publish(endpoint, notification);
    }
    return { outcome: 'sent', endpoint };
  }

  private async publish(endpoint: string, notification: PushNotification): Promise<void> {
    await this.call((sns) =>
      sns.send(
        new PublishCommand({
          TargetArn: endpoint,
          MessageStructure: 'json',
          Message: snsMessageOf(notification),
          MessageAttributes: {
            // APNs keeps one notification per conversation on the device, as FCM's tag does.
            'AWS.SNS.MOBILE.APNS.COLLAPSE_ID': {
              DataType: 'String',
              StringValue: notification.conversationId,
            },
            'AWS.SNS.MOBILE.APNS.PUSH_TYPE': { DataType: 'String', StringValue: 'alert' },
          },
        }),
      ),
    );
  }

  private async createEndpoint(application: string, token: string): Promise<string> {
    try {
      const answer = await this.call((sns) =>
        sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: application, Token: token })),
      );
      if (!answer.EndpointArn) throw new Error('SNS created no endpoint');
      return answer.EndpointArn;
    } catch (error) {
      const found =
        errorName(error) === 'InvalidParameterException'
          ? existingEndpoint.exec(String((error as Error).message))?.[1]
          : undefined;
      if (!found) throw error;
      return this.refreshEndpoint(application, found, token);
    }
  }

  /** The app registered the token again, so it is current: the endpoint gets it and is enabled again. */
  private async refreshEndpoint(application: string, endpoint: string, token: string): Promise<string> {
    let attributes: Record<string, string> | undefined;
    try {
      attributes = (
        await this.call((sns) => sns.send(new GetEndpointAttributesCommand({ EndpointArn: endpoint })))
      ).Attributes;
    } catch (error) {
      if (errorName(error) !== 'NotFoundException') throw error;
      return this.createEndpoint(application, token);
    }
    if (attributes?.Token !== token || attributes?.Enabled !== 'true') {
      await this.call((sns) =>
        sns.send(
          new SetEndpointAttributesCommand({
            EndpointArn: endpoint,
            Attributes: { Token: token, Enabled: 'true' },
          }),
        ),
      );
    }
    return endpoint;
  }

  /** One SNS call, retried with full jitter while throttled or failing on SNS's side. */
  private async call<Output>(run: (client: SNSClient) => Promise<Output>): Promise<Output> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(this.options.client);
      } catch (error) {
        if (!isRetryable(error) || attempt >= this.maxAttempts) throw error;
        await sleep(Math.random() * this.baseDelayMs * 2 ** attempt);
      }
    }
  }
}
