/**
 * The SNS adapter's endpoint life cycle against moto_server's SNS, where it behaves like AWS: an endpoint is
 * created once per token and reused, a re-registered device's disabled endpoint is enabled again, and an
 * endpoint disabled without a new registration (APNs or FCM rejected the token) is deleted and reported invalid.
 * (moto words the "same token, other attributes" refusal unlike AWS, so that case is in the unit test.)
 */
import {
  CreatePlatformApplicationCommand,
  GetEndpointAttributesCommand,
  ListEndpointsByPlatformApplicationCommand,
  SetEndpointAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { afterAll, describe, expect, it } from 'vitest';
import type { Device, PushNotification } from '../../shared/domain/ports.ts';
import { SnsPushSender } from '../../shared/push/sns-push-sender.ts';
import { type MotoServer, requireAwsTool, startMotoServer } from '../support/aws-tools.ts';

let moto: MotoServer | undefined;
afterAll(() => moto?.stop());

const notification: PushNotification = {
  conversationId: 'c1',
  messageId: 'm1',
  title: 't',
  body: 'b',
  badge: 1,
};

describe('SnsPushSender against moto_server', () => {
  it('creates an endpoint once, re-enables it after a new registration, deletes it once its token is rejected', async (ctx) => {
    requireAwsTool(ctx, 'moto_server');
    moto = await startMotoServer();
    const client = new SNSClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { PlatformApplicationArn: application } = await client.send(
      new CreatePlatformApplicationCommand({
        Name: 'chat-fcm',
        Platform: 'GCM',
        Attributes: { PlatformCredential: 'key' },
      }),
    );
    const sender = new SnsPushSender({ client, applications: { fcm: application ?? '' } });
    const endpoints = async () =>
      (
        await client.send(
          new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn: application }),
        )
      ).Endpoints ?? [];
    const device: Device = {
      userId: 'bob',
      deviceId: 'd1',
      platform: 'fcm',
      token: 'fcm-token-1',
      createdAt: '2026-01-01T00:00:00.000Z',
    };

    const first = await sender.send(device, notification);
    if (first.outcome !== 'sent') throw new Error(`not sent: ${first.outcome}`);
    const known = { ...device, endpoint: first.endpoint };
    expect(await sender.send(known, notification)).toEqual(first);
    expect(await endpoints()).toHaveLength(1);

    // Disabled (as SNS does on APNs/FCM feedback), then the app registers its token again: enabled and sent.
    const disable = new SetEndpointAttributesCommand({
      EndpointArn: first.endpoint,
      Attributes: { Enabled: 'false' },
    });
    await client.send(disable);
    expect(await sender.send({ ...known, endpointStale: true }, notification)).toEqual(first);
    const attributes = await client.send(new GetEndpointAttributesCommand({ EndpointArn: first.endpoint }));
    expect(attributes.Attributes?.Enabled).toBe('true');

    // Disabled with no registration since: the token is dead.
    await client.send(disable);
    expect(await sender.send(known, notification)).toEqual({ outcome: 'invalid' });
    expect(await endpoints()).toEqual([]);
  });
});
