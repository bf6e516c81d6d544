/** The message id rule: ids carry their seq; clients treat them as opaque. */

/** Message ids carry the seq so edit and delete find the message with one GetItem; clients treat them as opaque. */
export const messageIdFor = (seq: number, unique: string) => `${seq}-${unique}`;

export function seqOfMessageId(messageId: string): number | undefined {
  const match = /^(\d{1,15})-[0-9A-Za-z]+$/.exec(messageId);
  if (!match?.[1]) return undefined;
  const seq = Number(match[1]);
  return seq >= 1 ? seq : undefined;
}
