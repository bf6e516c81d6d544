/**
 * What the client reads from its tokens: the `exp` of a JWT (decoded, never verified: the server verifies), and
 * the server's refusal of a token. An opaque token, or a JWT without a numeric `exp`, has no known expiry.
 */

/** Asked for by the client before every connection attempt and HTTP request; see `ChatClientOptions.getToken`. */
export interface TokenRequest {
  /**
   * True when a cached token will not do: the last one was refused (`unauthorized`) or its `exp` is near and the
   * connection is moving to a new socket. Answer with a newly obtained token.
   */
  forceRefresh: boolean;
}

/** Supplies a token; called before every connection attempt and every HTTP request. */
export type TokenProvider = (request: TokenRequest) => string | Promise<string>;

/** The token's `exp` in milliseconds since the epoch, or undefined when it is not a JWT with a numeric `exp`. */
export function tokenExpiresAt(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return undefined;
  try {
    const claims: unknown = JSON.parse(decodeBase64Url(payload));
    const exp = typeof claims === 'object' && claims !== null ? (claims as { exp?: unknown }).exp : undefined;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The server's `error` event `unauthorized` not tied to a send: the socket's token no longer holds. */
export function isTokenRefusal(frame: unknown): boolean {
  if (typeof frame !== 'object' || frame === null) return false;
  const { type, code, clientMessageId } = frame as Record<string, unknown>;
  return type === 'error' && code === 'unauthorized' && clientMessageId === undefined;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Base64url to a string of byte values. By hand, as React Native before 0.74 has no `atob`; multi-byte UTF-8 in
 * other claims comes out as several characters, which leaves the JSON valid and `exp` readable.
 */
function decodeBase64Url(text: string): string {
  let bits = 0;
  let buffer = 0;
  let out = '';
  for (const char of text.replace(/=+$/, '')) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error('not base64url');
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buffer >> bits) & 0xff);
      buffer &= (1 << bits) - 1;
    }
  }
  return out;
}
