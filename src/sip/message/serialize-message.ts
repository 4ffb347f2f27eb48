import { startLine, type SipMessage } from './sip-message.js';

/** Writes a message back to the wire, with Content-Length set to the body's byte length. */
export function serializeSipMessage(message: SipMessage): string {
  const bodyBytes = Buffer.byteLength(message.body, 'utf8');
  let text = startLine(message) + '\r\n';
  let wroteLength = false;
  for (const header of message.headers) {
    if (header.key === 'content-length') {
      if (wroteLength) continue;
      wroteLength = true;
      text += `${header.name}: ${bodyBytes}\r\n`;
      continue;
    }
    text += `${header.name}: ${header.value}\r\n`;
  }
  if (!wroteLength) text += `Content-Length: ${bodyBytes}\r\n`;
  return text + '\r\n' + message.body;
}
