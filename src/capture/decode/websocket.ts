/**
 * RFC 6455 §5.2 framing, enough to take SIP out of a WebSocket (RFC 7118) byte stream:
 *
 *   FIN (1) | RSV (3) | opcode (4) | MASK (1) | payload length (7) | [extended length u16 or
 *   u64 when 126 or 127] | [masking key (4) when MASK] | payload
 *
 * Clients mask what they send, servers do not; the key XORs the payload byte by byte. A
 * message is a text or binary frame and its continuation frames up to the one with FIN.
 */
export interface WebSocketFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
  /** Bytes of the stream this frame took. */
  size: number;
}

export const WS_CONTINUATION = 0x0;
export const WS_TEXT = 0x1;
export const WS_BINARY = 0x2;

/** No SIP message needs a frame this large; a length past it is not a WebSocket stream. */
const MAX_FRAME = 16 * 1024 * 1024;

/** The first whole frame of `d`; undefined while more bytes are needed; 'invalid' for garbage. */
export function readWebSocketFrame(d: Buffer): WebSocketFrame | 'invalid' | undefined {
  if (d.length < 2) return undefined;
  const fin = (d[0]! & 0x80) !== 0;
  const opcode = d[0]! & 0x0f;
  if ((d[0]! & 0x70) !== 0 || (opcode > 2 && opcode < 8) || opcode > 10) return 'invalid';
  const masked = (d[1]! & 0x80) !== 0;
  let length = d[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (d.length < 4) return undefined;
    length = d.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (d.length < 10) return undefined;
    const big = d.readBigUInt64BE(2);
    if (big > BigInt(MAX_FRAME)) return 'invalid';
    length = Number(big);
    offset = 10;
  }
  if (length > MAX_FRAME) return 'invalid';
  const keyAt = offset;
  if (masked) offset += 4;
  if (d.length < offset + length) return undefined;
  const payload = Buffer.from(d.subarray(offset, offset + length));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= d[keyAt + (i % 4)]!;
  return { fin, opcode, payload, size: offset + length };
}

/** RFC 6455 §4.1: the client's opening handshake asks to upgrade an HTTP/1.1 connection. */
export function isUpgradeRequest(head: string): boolean {
  return /^GET \S+ HTTP\/1\.1\r?\n/.test(head) && /^upgrade:[ \t]*websocket[ \t]*$/im.test(head);
}

/** RFC 6455 §4.2.2: the server agrees with 101 Switching Protocols. */
export function isUpgradeResponse(head: string): boolean {
  return /^HTTP\/1\.1 101[ \r\n]/.test(head);
}
