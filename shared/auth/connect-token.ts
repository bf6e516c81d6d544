/**
 * Where a WebSocket client puts its token: `?token=JWT`, or, for clients that prefer headers, as one of the
 * offered subprotocols (`Sec-WebSocket-Protocol: chat, <JWT>`), of which the server echoes `chat` back.
 */
const chatSubprotocol = 'chat';

const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

function offeredSubprotocols(headers: Record<string, string | undefined>): string[] {
  return (header(headers, 'sec-websocket-protocol') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

export function tokenFromRequest(
  query: Record<string, string | undefined>,
  headers: Record<string, string | undefined>,
): string | undefined {
  return query.token || offeredSubprotocols(headers).find((p) => jwtShape.test(p));
}

/** The subprotocol `$connect` must echo so browsers accept the connection, if the client offered one. */
export function subprotocolToEcho(headers: Record<string, string | undefined>): string | undefined {
  return offeredSubprotocols(headers).includes(chatSubprotocol) ? chatSubprotocol : undefined;
}
