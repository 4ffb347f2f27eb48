import { writeFileSync } from 'node:fs';
import { sipMessageEvent } from '../../../src/sip/message/message-event.js';
import type { Flow } from '../../../src/sip/transport/types.js';

const ALICE = { address: '127.0.0.1', port: 5062 };
const PROXY = { address: '127.0.0.1', port: 5060 };

/** A messages.jsonl of `calls` answered calls from alice, six messages each, as a lab run writes it. */
export function writeManyCalls(file: string, calls: number): void {
  const flow: Flow = { id: 'udp:alice', protocol: 'udp', local: ALICE, remote: PROXY };
  const lines: string[] = [];
  let at = Date.UTC(2026, 11, 4, 12);
  for (let n = 0; n < calls; n++) {
    const callId = `call-${n}@127.0.0.1`;
    const request = (method: string, cseq: number) =>
      `${method} sip:bob@lab.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-${n}-${method}\r\nFrom: <sip:alice@lab.test>;tag=a${n}\r\nTo: <sip:bob@lab.test>\r\nCall-ID: ${callId}\r\nCSeq: ${cseq} ${method}\r\nContent-Length: 0\r\n\r\n`;
    const response = (status: string, method: string, cseq: number) =>
      `SIP/2.0 ${status}\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-${n}-${method}\r\nFrom: <sip:alice@lab.test>;tag=a${n}\r\nTo: <sip:bob@lab.test>;tag=b${n}\r\nCall-ID: ${callId}\r\nCSeq: ${cseq} ${method}\r\nContent-Length: 0\r\n\r\n`;
    const out = (raw: string) => lines.push(JSON.stringify(sipMessageEvent('alice', 'out', raw, flow, (at += 10))));
    const inbound = (raw: string) => lines.push(JSON.stringify(sipMessageEvent('alice', 'in', raw, flow, (at += 10))));
    out(request('INVITE', 1));
    inbound(response('180 Ringing', 'INVITE', 1));
    inbound(response('200 OK', 'INVITE', 1));
    out(request('ACK', 1));
    out(request('BYE', 2));
    inbound(response('200 OK', 'BYE', 2));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}
