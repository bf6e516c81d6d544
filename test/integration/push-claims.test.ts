/** The push claim on DynamoDB Local: one push per device and conversation in the collapse window, in order. */
import { beforeAll, describe, expect, it } from 'vitest';
import { pushCollapseMs } from '../../shared/domain/push.ts';
import { DeviceStore } from '../../shared/store/device-store.ts';
import { createTestTable } from '../support/dynamo.ts';

let devices: DeviceStore;
beforeAll(async () => {
  devices = new DeviceStore(await createTestTable());
});

const claim = (seq: number, nowMs: number) =>
  devices.claimPush({
    userId: 'bob',
    deviceId: 'd1',
    conversationId: 'c1',
    seq,
    nowMs,
    collapseMs: pushCollapseMs,
  });

describe('the push claim', () => {
  it('lets one push through per window: a later message within it collapses, one after it is pushed', async () => {
    const start = Date.UTC(2026, 11, 1, 12);
    expect(await claim(1, start)).toBe(true);
    expect(await claim(1, start + 10)).toBe(false);
    expect(await claim(2, start + 1_000)).toBe(false);
    expect(await claim(3, start + pushCollapseMs)).toBe(true);
  });
});
