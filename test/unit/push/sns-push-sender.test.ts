/**
 * The SNS mobile push adapter against a mocked SNS client: the endpoint life cycle (create once, take over an
 * endpoint of the same token, refresh and re-enable after a new registration, create again when deleted), a
 * token APNs/FCM rejected (its endpoint deleted, the device reported invalid), throttling retried, and the
 * payloads of both services.
 */
import {
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  EndpointDisabledException,
  GetEndpointAttributesCommand,
  InvalidParameterException,
  NotFoundException,
  PublishCommand,
  SetEndpointAttributesCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { Device, PushNotification } from '../../../shared/domain/ports.ts';
import { SnsPushSender } from '../../../shared/push/sns-push-sender.ts';

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

const apnsApp = 'arn:aws:sns:us-east-1:123456789012:app/APNS/chat';
const fcmApp = 'arn:aws:sns:us-east-1:123456789012:app/GCM/chat';
const endpointArn = 'arn:aws:sns:us-east-1:123456789012:endpoint/APNS/chat/1111';
const sender = () =>
  new SnsPushSender({
    client: new SNSClient({}),
    applications: { apns: apnsApp, fcm: fcmApp },
    baseDelayMs: 1,
  });

const device = (change: Partial<Device> = {}): Device => ({
  userId: 'bob',
  deviceId: 'd1',
  platform: 'apns',
  token: 'aa11',
  createdAt: '2026-01-01T00:00:00.000Z',
  ...change,
});
const notification: PushNotification = {
  conversationId: 'c1',
  messageId: 'm1',
  title: 'Team',
  body: 'hi',
  badge: 3,
};

describe('SnsPushSender', () => {
  it('creates the endpoint of a new device once, then publishes to it', async () => {
    sns.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: endpointArn });
    sns.on(PublishCommand).resolves({ MessageId: 'x' });

    expect(await sender().send(device(), notification)).toEqual({ outcome: 'sent', endpoint: endpointArn });
    expect(sns.commandCalls(CreatePlatformEndpointCommand)[0]?.args[0].input).toEqual({
      PlatformApplicationArn: apnsApp,
      Token: 'aa11',
    });

    await sender().send(device({ endpoint: endpointArn }), notification);
    expect(sns.commandCalls(CreatePlatformEndpointCommand)).toHaveLength(1);
    expect(sns.commandCalls(GetEndpointAttributesCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('sends the APNs and FCM payloads with the badge, collapsed by conversation', async () => {
    sns.on(PublishCommand).resolves({});
    await sender().send(device({ endpoint: endpointArn }), notification);
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ TargetArn: endpointArn, MessageStructure: 'json' });
    expect(input?.MessageAttributes?.['AWS.SNS.MOBILE.APNS.COLLAPSE_ID']?.StringValue).toBe('c1');
    const message = JSON.parse(input?.Message ?? '{}');
    expect(JSON.parse(message.APNS).aps).toMatchObject({ alert: { title: 'Team', body: 'hi' }, badge: 3 });
    expect(JSON.parse(message.GCM).fcmV1Message.message).toMatchObject({
      notification: { title: 'Team', body: 'hi' },
      android: { collapse_key: 'c1', notification: { tag: 'c1', notification_count: 3 } },
    });
  });

  it('takes over the endpoint SNS already has for the token, giving it the token and enabling it', async () => {
    sns.on(CreatePlatformEndpointCommand).rejects(
      new InvalidParameterException({
        $metadata: {},
        message: `Invalid parameter: Token Reason: Endpoint ${endpointArn} already exists with the same Token, but different attributes.`,
      }),
    );
    sns.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'aa11', Enabled: 'false' } });
    sns.on(PublishCommand).resolves({});

    expect(await sender().send(device(), notification)).toEqual({ outcome: 'sent', endpoint: endpointArn });
    expect(sns.commandCalls(SetEndpointAttributesCommand)[0]?.args[0].input).toEqual({
      EndpointArn: endpointArn,
      Attributes: { Token: 'aa11', Enabled: 'true' },
    });
  });

  it('after a new registration updates a changed token and re-enables the endpoint; leaves a good one alone', async () => {
    sns.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'old', Enabled: 'false' } });
    sns.on(PublishCommand).resolves({});
    await sender().send(device({ endpoint: endpointArn, endpointStale: true }), notification);
    expect(sns.commandCalls(SetEndpointAttributesCommand)[0]?.args[0].input.Attributes).toEqual({
      Token: 'aa11',
      Enabled: 'true',
    });

    sns.reset();
    sns.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'aa11', Enabled: 'true' } });
    sns.on(PublishCommand).resolves({});
    await sender().send(device({ endpoint: endpointArn, endpointStale: true }), notification);
    expect(sns.commandCalls(SetEndpointAttributesCommand)).toHaveLength(0);
  });

  it('creates the endpoint again when it was deleted', async () => {
    const fresh = `${endpointArn}-new`;
    sns
      .on(PublishCommand, { TargetArn: endpointArn })
      .rejects(new NotFoundException({ $metadata: {}, message: 'gone' }));
    sns.on(PublishCommand, { TargetArn: fresh }).resolves({});
    sns.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: fresh });
    expect(await sender().send(device({ endpoint: endpointArn }), notification)).toEqual({
      outcome: 'sent',
      endpoint: fresh,
    });
  });

  it('reports a token the service rejected (endpoint disabled) as invalid, and deletes its endpoint', async () => {
    sns
      .on(PublishCommand)
      .rejects(new EndpointDisabledException({ $metadata: {}, message: 'Endpoint is disabled' }));
    sns.on(DeleteEndpointCommand).resolves({});
    expect(await sender().send(device({ endpoint: endpointArn }), notification)).toEqual({
      outcome: 'invalid',
    });
    expect(sns.commandCalls(DeleteEndpointCommand)[0]?.args[0].input).toEqual({ EndpointArn: endpointArn });
  });

  it('retries a throttled publish, and gives up after its attempts', async () => {
    const throttled = () =>
      new ThrottledException({ $metadata: { httpStatusCode: 429 }, message: 'Rate exceeded' });
    sns.on(PublishCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({});
    expect((await sender().send(device({ endpoint: endpointArn }), notification)).outcome).toBe('sent');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);

    sns.reset();
    sns.on(PublishCommand).rejects(throttled());
    await expect(sender().send(device({ endpoint: endpointArn }), notification)).rejects.toThrow(
      'Rate exceeded',
    );
    expect(sns.commandCalls(PublishCommand)).toHaveLength(4);
  });

  it('sends nothing for a platform without a platform application', async () => {
    const apnsOnly = new SnsPushSender({ client: new SNSClient({}), applications: { apns: apnsApp } });
    expect(await apnsOnly.send(device({ platform: 'fcm' }), notification)).toEqual({
      outcome: 'unconfigured',
    });
    expect(sns.calls()).toHaveLength(0);
  });
});
