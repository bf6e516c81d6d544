/**
 * The device and mute adapters against DynamoDB Local: a token belongs to one user even when two users register
 * it at once, the per-user bound, and the push claim that collapses a burst and stops a redelivered job.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DeviceStore } from '../../shared/store/device-store.ts';
import type { TableContext } from '../../shared/store/dynamo.ts';
import { MuteStore } from '../../shared/store/mute-store.ts';
import { createTestTable } from '../support/dynamo.ts';

let table: TableContext;
let devices: DeviceStore;
let mutes: MuteStore;
beforeAll(async () => {
  table = await createTestTable();
  devices = new DeviceStore(table);
  mutes = new MuteStore(table);
});

let ids = 0;
const fresh = (name: string) => `${name}-${++ids}`;
const now = '2026-12-01T10:00:00.000Z';
const register = (userId: string, token: string, maxDevices = 10) =>
  devices.register({ userId, platform: 'apns', token, newDeviceId: fresh('device'), now, maxDevices });

describe('DeviceStore', () => {
  it('answers the same device for the same token, marked for an endpoint check', async () => {
    const bob = fresh('bob');
    const token = fresh('token');
    const first = await register(bob, token);
    await devices.setEndpoint({ userId: bob, deviceId: first.device.deviceId, endpoint: 'arn:1' });
    const again = await register(bob, token);
    expect(again).toMatchObject({
      created: false,
      device: { deviceId: first.device.deviceId, endpoint: 'arn:1' },
    });
    expect((await devices.list(bob))[0]).toMatchObject({ endpoint: 'arn:1', endpointStale: true });
  });

  it('gives a token registered by two users at once to exactly one of them, with the endpoint', async () => {
    const token = fresh('token');
    const owner = fresh('owner');
    const first = await register(owner, token);
    await devices.setEndpoint({ userId: owner, deviceId: first.device.deviceId, endpoint: 'arn:2' });
    const [carol, dave] = [fresh('carol'), fresh('dave')];
    await Promise.all([register(carol, token), register(dave, token)]);

    const held = [owner, carol, dave].map(async (userId) => (await devices.list(userId)).length);
    expect((await Promise.all(held)).reduce((sum, count) => sum + count, 0)).toBe(1);
    const [winner] = [...(await devices.list(carol)), ...(await devices.list(dave))];
    expect(winner).toMatchObject({ endpoint: 'arn:2', endpointStale: true });
  });

  it('forgets the oldest devices past the bound, and removes only the own device', async () => {
    const bob = fresh('bob');
    const kept = [];
    for (let i = 0; i < 4; i++) kept.push((await register(bob, fresh('token'), 3)).device.deviceId);
    expect((await devices.list(bob)).map((d) => d.deviceId).sort()).toEqual(kept.slice(1).sort());
    expect(await devices.remove({ userId: fresh('eve'), deviceId: kept[1] ?? '' })).toBe(false);
    expect(await devices.remove({ userId: bob, deviceId: kept[1] ?? '' })).toBe(true);
    expect(await devices.list(bob)).toHaveLength(2);
  });

  it('claims a push once per message, collapses within the window, and gives back a failed claim', async () => {
    const claim = { userId: fresh('bob'), deviceId: 'd', conversationId: fresh('conv'), collapseMs: 30_000 };
    const t0 = Date.parse(now);
    expect(await devices.claimPush({ ...claim, seq: 1, nowMs: t0 })).toBe(true);
    expect(await devices.claimPush({ ...claim, seq: 1, nowMs: t0 + 60_000 })).toBe(false);
    expect(await devices.claimPush({ ...claim, seq: 2, nowMs: t0 + 1_000 })).toBe(false);
    expect(await devices.claimPush({ ...claim, seq: 2, nowMs: t0 + 30_000 })).toBe(true);

    await devices.releasePush({ ...claim, seq: 1 });
    expect(await devices.claimPush({ ...claim, seq: 3, nowMs: t0 + 31_000 })).toBe(false);
    await devices.releasePush({ ...claim, seq: 2 });
    expect(await devices.claimPush({ ...claim, seq: 2, nowMs: t0 + 31_000 })).toBe(true);
  });
});

describe('MuteStore', () => {
  it('counts a mute until its time, and none after an unmute', async () => {
    const conversationId = fresh('conv');
    const t0 = Date.parse(now);
    await mutes.mute({ conversationId, userId: 'bob', until: new Date(t0 + 60_000).toISOString() });
    await mutes.mute({ conversationId, userId: 'carol' });
    expect(await mutes.mutedIn({ conversationId, nowMs: t0 })).toEqual(new Set(['bob', 'carol']));
    expect(await mutes.mutedIn({ conversationId, nowMs: t0 + 60_000 })).toEqual(new Set(['carol']));
    await mutes.unmute({ conversationId, userId: 'carol' });
    expect(await mutes.mutedIn({ conversationId, nowMs: t0 })).toEqual(new Set(['bob']));
  });
});
