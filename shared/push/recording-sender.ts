/**
 * The local runtime's push sender: records each push it would send, in this process (the local functions all
 * run in it), for `GET /_local/pushes?userId=` and the tests. A token starting `invalid` answers as a dead one.
 */
import type { Device, PushNotification, PushOutcome, PushSender } from '../domain/ports.ts';

interface RecordedPush extends PushNotification {
  userId: string;
  deviceId: string;
  platform: Device['platform'];
  sentAt: string;
}

/** Pushes kept, oldest dropped first, so a long local run does not grow without bound. */
const maxRecorded = 10_000;

const recordedPushes: RecordedPush[] = [];

export class RecordingPushSender implements PushSender {
  constructor(private readonly clock: () => number = Date.now) {}

  async send(device: Device, notification: PushNotification): Promise<PushOutcome> {
    if (device.token.startsWith('invalid')) return { outcome: 'invalid' };
    recordedPushes.push({
      userId: device.userId,
      deviceId: device.deviceId,
      platform: device.platform,
      ...notification,
      sentAt: new Date(this.clock()).toISOString(),
    });
    if (recordedPushes.length > maxRecorded) recordedPushes.shift();
    return { outcome: 'sent', endpoint: `local:${device.deviceId}` };
  }
}

/** The recorded pushes of one user, oldest first. */
export const pushesOf = (userId: string) => recordedPushes.filter((push) => push.userId === userId);
