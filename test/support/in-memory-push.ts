/** In-memory fakes of the push ports (devices, mutes, the queue, the sender), as the adapters behave. */
import type {
  Device,
  DeviceRepository,
  MuteRepository,
  PushJob,
  PushNotification,
  PushOutcome,
  PushQueue,
  PushSender,
} from '../../shared/domain/ports.ts';

type Options<Port, K extends keyof Port> = Port[K] extends (options: infer O, ...rest: never[]) => unknown
  ? O
  : never;

const copy = <T>(value: T): T => structuredClone(value);

export class InMemoryDevices implements DeviceRepository {
  /** By `userId#deviceId`. */
  readonly devices = new Map<string, Device>();
  private readonly claims = new Map<string, { seq: number; until: number }>();

  async register(options: Options<DeviceRepository, 'register'>) {
    const { userId, platform, token, newDeviceId, now, maxDevices } = options;
    const previous = [...this.devices.values()].find((d) => d.platform === platform && d.token === token);
    if (previous?.userId === userId) {
      previous.endpointStale = true;
      return { device: copy(previous), created: false };
    }
    if (previous) this.devices.delete(`${previous.userId}#${previous.deviceId}`);
    const device: Device = {
      userId,
      deviceId: newDeviceId,
      platform,
      token,
      createdAt: now,
      ...(previous?.endpoint ? { endpoint: previous.endpoint, endpointStale: true } : {}),
    };
    this.devices.set(`${userId}#${newDeviceId}`, device);
    const own = await this.list(userId);
    for (const old of own.slice(0, Math.max(0, own.length - maxDevices)))
      this.devices.delete(`${userId}#${old.deviceId}`);
    return { device: copy(device), created: true };
  }

  async list(userId: string): Promise<Device[]> {
    return [...this.devices.values()]
      .filter((d) => d.userId === userId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map(copy);
  }

  async remove({ userId, deviceId }: Options<DeviceRepository, 'remove'>): Promise<boolean> {
    return this.devices.delete(`${userId}#${deviceId}`);
  }

  async setEndpoint({ userId, deviceId, endpoint }: Options<DeviceRepository, 'setEndpoint'>): Promise<void> {
    const device = this.devices.get(`${userId}#${deviceId}`);
    if (!device) return;
    device.endpoint = endpoint;
    delete device.endpointStale;
  }

  async claimPush(options: Options<DeviceRepository, 'claimPush'>): Promise<boolean> {
    const key = `${options.userId}#${options.deviceId}#${options.conversationId}`;
    const claim = this.claims.get(key);
    if (claim && !(claim.until <= options.nowMs && claim.seq < options.seq)) return false;
    this.claims.set(key, { seq: options.seq, until: options.nowMs + options.collapseMs });
    return true;
  }

  async releasePush(options: Options<DeviceRepository, 'releasePush'>): Promise<void> {
    const key = `${options.userId}#${options.deviceId}#${options.conversationId}`;
    if (this.claims.get(key)?.seq === options.seq) this.claims.delete(key);
  }
}

export class InMemoryMutes implements MuteRepository {
  private readonly mutes = new Map<string, { userId: string; conversationId: string; until?: string }>();

  async mute(options: Options<MuteRepository, 'mute'>): Promise<void> {
    this.mutes.set(`${options.conversationId}#${options.userId}`, copy(options));
  }

  async unmute({ conversationId, userId }: Options<MuteRepository, 'unmute'>): Promise<void> {
    this.mutes.delete(`${conversationId}#${userId}`);
  }

  async mutedIn({ conversationId, nowMs }: Options<MuteRepository, 'mutedIn'>): Promise<Set<string>> {
    return new Set(
      [...this.mutes.values()]
        .filter((m) => m.conversationId === conversationId)
        .filter((m) => m.until === undefined || Date.parse(m.until) > nowMs)
        .map((m) => m.userId),
    );
  }
}

/** Keeps the jobs it is given; `failing` makes `enqueue` throw (SQS unreachable). */
export class RecordingPushQueue implements PushQueue {
  readonly jobs: PushJob[] = [];
  failing = false;

  async enqueue(jobs: PushJob[]): Promise<void> {
    if (this.failing) throw new Error('queue unavailable');
    this.jobs.push(...copy(jobs));
  }
}

/** Records each push; tokens in `invalidTokens` answer as dead, devices in `failing` throw. */
export class FakePushSender implements PushSender {
  readonly sent: { device: Device; notification: PushNotification }[] = [];
  readonly invalidTokens = new Set<string>();
  readonly failing = new Set<string>();

  async send(device: Device, notification: PushNotification): Promise<PushOutcome> {
    if (this.failing.has(device.deviceId)) throw new Error('push service unavailable');
    if (this.invalidTokens.has(device.token)) return { outcome: 'invalid' };
    this.sent.push({ device: copy(device), notification: copy(notification) });
    return { outcome: 'sent', endpoint: `endpoint:${device.token}` };
  }
}
