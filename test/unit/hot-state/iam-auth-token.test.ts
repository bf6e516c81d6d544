/**
 * The IAM token's shape as AWS documents it for ElastiCache Serverless (a presigned `connect` to the cache name,
 * without the scheme), with fixed credentials and clock. AWS itself is not reachable from these tests: the
 * signature is checked against SigV4 computed here by hand.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IamAuthToken } from '../../../shared/hot-state/iam-auth-token.ts';

const signedAt = Date.parse('2026-03-01T12:00:00Z');
const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session/token+1',
};

function tokenAt(clock: { now: number }) {
  return new IamAuthToken({
    cacheName: 'chat-prod',
    userId: 'chat-functions',
    region: 'eu-west-1',
    credentials,
    clock: () => clock.now,
  });
}

const paramsOf = (token: string) => new URL(`https://${token}`).searchParams;

/** SigV4 of the presigned request, from AWS's published algorithm. */
function expectedSignature(token: string): string {
  const url = new URL(`https://${token}`);
  const canonicalQuery = [...url.searchParams]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [encodeURIComponent(name), encodeURIComponent(value)])
    .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${url.host}`, '', 'host', sha256('')].join(
    '\n',
  );
  const scope = '20260301/eu-west-1/elasticache/aws4_request';
  const stringToSign = ['AWS4-HMAC-SHA256', '20260301T120000Z', scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer | string = `AWS4${credentials.secretAccessKey}`;
  for (const part of ['20260301', 'eu-west-1', 'elasticache', 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('IamAuthToken', () => {
  it('is a presigned connect to the cache name for the user, valid 900 s, without the scheme', async () => {
    const token = await tokenAt({ now: signedAt }).token();

    expect(token.startsWith('chat-prod/?')).toBe(true);
    expect(Object.fromEntries(paramsOf(token))).toEqual({
      Action: 'connect',
      User: 'chat-functions',
      ResourceType: 'ServerlessCache',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20260301/eu-west-1/elasticache/aws4_request',
      'X-Amz-Date': '20260301T120000Z',
      'X-Amz-Expires': '900',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Security-Token': credentials.sessionToken,
      'X-Amz-Signature': expectedSignature(token),
    });
  });

  it('is reused for 10 minutes, then signed again before its 15 run out', async () => {
    const clock = { now: signedAt };
    const tokens = tokenAt(clock);
    const first = await tokens.token();

    clock.now = signedAt + 10 * 60_000 - 1;
    expect(await tokens.token()).toBe(first);
    clock.now = signedAt + 10 * 60_000;
    const second = await tokens.token();

    expect(second).not.toBe(first);
    expect(paramsOf(second).get('X-Amz-Date')).toBe('20260301T121000Z');
  });
});
