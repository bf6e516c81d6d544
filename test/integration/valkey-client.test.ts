/**
 * The hot state's client on the run's real Valkey server: `VALKEY_URL` locally, and the IAM connector, whose every
 * connection authenticates with the token current at that moment. The server's ACL user stands in for the
 * ElastiCache IAM user (AWS is not reachable here); TLS is off against the local server.
 */

import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { freePort } from '../../local/ports.ts';
import type { HotStateClient } from '../../shared/hot-state/valkey-client.ts';
import { createValkeyClient, valkeyWithIamAuth } from '../../shared/hot-state/valkey-client.ts';
import { createTestValkey } from '../support/valkey.ts';

let admin: HotStateClient;
const clients: HotStateClient[] = [];
beforeAll(() => {
  admin = createTestValkey();
  clients.push(admin);
});
afterAll(() => {
  for (const client of clients) client.disconnect();
  vi.unstubAllEnvs();
});

const serverAddress = () => {
  const { hostname, port } = new URL(inject('local').valkeyUrl);
  return { host: hostname, port: Number(port) };
};

describe('createValkeyClient', () => {
  it('connects to VALKEY_URL on its first command', async () => {
    vi.stubEnv('VALKEY_URL', inject('local').valkeyUrl);
    const client = createValkeyClient();
    clients.push(client);

    expect(client.status).toBe('wait');
    expect(await client.ping()).toBe('PONG');
  });

  it('fails a command within about a second when no server answers, instead of queueing it', async () => {
    vi.stubEnv('VALKEY_URL', `redis://127.0.0.1:${await freePort()}`);
    const client = createValkeyClient();
    clients.push(client);
    const started = Date.now();

    await expect(client.get('anything')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe('valkeyWithIamAuth', () => {
  const userId = `iam-${Math.random().toString(36).slice(2, 10)}`;
  /** The tokens the connector is handed, one per connection it makes. */
  let current = 'token-1';
  const asked: string[] = [];
  const tokens = {
    token: async () => {
      asked.push(current);
      return current;
    },
  };
  /** The server accepts only this token for the user from now on (as AWS does with a new signature). */
  const accept = (token: string) =>
    admin.call('ACL', 'SETUSER', userId, 'on', 'resetpass', `>${token}`, '~*', '+@all');

  it('authenticates as the user with the current token, and a reconnect with the next one', async () => {
    await accept('token-1');
    const client = valkeyWithIamAuth({ ...serverAddress(), userId, tokens, tls: false });
    clients.push(client);

    expect(await client.call('ACL', 'WHOAMI')).toBe(userId);
    current = 'token-2';
    await accept('token-2');
    // The cache closes a connection after 12 hours; the old token is no longer accepted by then.
    await admin.call('CLIENT', 'KILL', 'USER', userId);

    await vi.waitFor(async () => expect(await client.call('ACL', 'WHOAMI')).toBe(userId), {
      timeout: 3_000,
    });
    // The cluster client opens a connection to learn the slots and one to the node, each with its own token.
    expect(asked.slice(0, asked.indexOf('token-2'))).toEqual(expect.arrayContaining(['token-1']));
    expect(asked.slice(asked.indexOf('token-2')).every((token) => token === 'token-2')).toBe(true);
  });

  it('keeps reconnecting while its token is refused, and recovers once one is accepted', async () => {
    current = 'token-refused';
    const client = valkeyWithIamAuth({ ...serverAddress(), userId, tokens, tls: false });
    clients.push(client);

    await expect(client.call('ACL', 'WHOAMI')).rejects.toThrow();
    current = 'token-3';
    await accept('token-3');

    await vi.waitFor(async () => expect(await client.call('ACL', 'WHOAMI')).toBe(userId), {
      timeout: 5_000,
    });
  });
});
