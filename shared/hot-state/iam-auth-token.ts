/**
 * The password of an ElastiCache connection under IAM authentication: a SigV4-presigned `connect` request to the
 * cache (its name as the host), without the scheme. AWS accepts it for 15 minutes; a connection made with it may
 * stay open up to 12 hours, after which the cache closes it and the client reconnects with a fresh token.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];
type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytesOf = (data: SourceData) =>
  typeof data === 'string'
    ? Buffer.from(data)
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256, and HMAC-SHA-256 given a secret, from node:crypto, as the signer asks for them. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(this.secret));
  }
  update(data: SourceData) {
    this.hash.update(bytesOf(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {
    this.hash = this.fresh();
  }
}

/** Percent-encoding as SigV4 does it (RFC 3986: `!'()*` too). */
const escapeUri = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** What AWS accepts a token for. */
const tokenValiditySeconds = 900;
/** A token this old is replaced before a connection uses it, so one never expires during a slow connect. */
const reuseForMs = 10 * 60_000;

export interface IamAuthTokenOptions {
  /** The serverless cache's name (lowercase), which the token is signed for. */
  cacheName: string;
  /** The ElastiCache user (IAM authentication mode); its id and name must be the same. */
  userId: string;
  region: string;
  credentials: Credentials;
  clock?: () => number;
}

export class IamAuthToken {
  private readonly signer: SignatureV4;
  private cached?: { token: string; signedAtMs: number };

  constructor(private readonly options: IamAuthTokenOptions) {
    this.signer = new SignatureV4({
      service: 'elasticache',
      region: options.region,
      credentials: options.credentials,
      sha256: NodeSha256,
    });
  }

  /** A token with at least 5 of its 15 minutes left, signed again when the last one is older. */
  async token(): Promise<string> {
    const now = (this.options.clock ?? Date.now)();
    if (this.cached && now - this.cached.signedAtMs < reuseForMs) return this.cached.token;
    const { cacheName, userId } = this.options;
    const signed = await this.signer.presign(
      new HttpRequest({
        method: 'GET',
        protocol: 'http:',
        hostname: cacheName,
        path: '/',
        headers: { host: cacheName },
        query: { Action: 'connect', User: userId, ResourceType: 'ServerlessCache' },
      }),
      { expiresIn: tokenValiditySeconds, signingDate: new Date(now) },
    );
    const query = Object.entries(signed.query ?? {})
      .flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value ?? '']).map((item) => `${escapeUri(name)}=${escapeUri(item)}`),
      )
      .join('&');
    const token = `${cacheName}/?${query}`;
    this.cached = { token, signedAtMs: now };
    return token;
  }
}
