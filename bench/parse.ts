/**
 * µs per parsed SIP message on each path a message can take:
 *   sip.js  — Core.Parser.parseMessage (the user-agent path; patched to build its grammar table once)
 *   ours    — parseSipMessage (proxy, captures, load path)
 *   event   — sipMessageEvent (our parse + the fields every event carries)
 * Prints one JSON line per path with the median of 7 rounds, then the ratio sip.js / ours.
 * Run: npm run bench:parse
 */
import { Core } from 'sip.js';
import { sipMessageEvent } from '../src/sip/message/message-event.js';
import { parseSipMessage } from '../src/sip/message/parse-message.js';

const SDP = 'v=0\r\no=sipbots 1 1 IN IP4 127.0.0.1\r\ns=sipbots\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=sendrecv\r\n';
const INVITE = [
  'INVITE sip:bob@lab.test SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK776asdhds',
  'Via: SIP/2.0/UDP 127.0.0.1:5060;received=127.0.0.1;branch=z9hG4bKproxy1',
  'Max-Forwards: 70',
  'Record-Route: <sip:127.0.0.1:5060;transport=udp;lr>',
  'To: Bob <sip:bob@lab.test>',
  'From: Alice <sip:alice@lab.test>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.lab.test',
  'CSeq: 2 INVITE',
  'Contact: <sip:alice@127.0.0.1:5070;transport=udp;ob>',
  'Proxy-Authorization: Digest username="alice", realm="lab.test", nonce="5f1c2d3e4f", uri="sip:bob@lab.test", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, qop=auth, nc=00000001, cnonce="0a4f113b"',
  'Allow: ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER',
  'Supported: outbound',
  'User-Agent: sipbots/0.1',
  'Content-Type: application/sdp',
  `Content-Length: ${SDP.length}`,
  '',
  SDP,
].join('\r\n');

const OK = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;rport=5070;received=127.0.0.1;branch=z9hG4bK776asdhds\r\nTo: Bob <sip:bob@lab.test>;tag=314159\r\nFrom: Alice <sip:alice@lab.test>;tag=1928301774\r\nCall-ID: a84b4c76e66710@pc33.lab.test\r\nCSeq: 2 INVITE\r\nContact: <sip:bob@127.0.0.1:5080>\r\nContent-Length: 0\r\n\r\n';

const quietLogger = { error() {}, warn() {}, log() {}, debug() {} };
const flow = { id: 'udp:127.0.0.1:5070', protocol: 'udp' as const, local: { address: '127.0.0.1', port: 5060 }, remote: { address: '127.0.0.1', port: 5070 } };

const paths: Record<string, (raw: string) => unknown> = {
  'sip.js': (raw) => Core.Parser.parseMessage(raw, quietLogger as never),
  ours: (raw) => parseSipMessage(raw),
  event: (raw) => sipMessageEvent('bench', 'in', raw, flow, 0),
};

function microsPerCall(fn: (raw: string) => unknown, raw: string, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(raw);
  return Number(process.hrtime.bigint() - start) / iterations / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results: Record<string, Record<string, number>> = {};
for (const [name, fn] of Object.entries(paths)) {
  const iterations = name === 'sip.js' ? 2_000 : 100_000;
  results[name] = {};
  for (const [label, raw] of [['invite', INVITE], ['200', OK]] as const) {
    microsPerCall(fn, raw, iterations / 10); // warm-up
    const rounds = Array.from({ length: 7 }, () => microsPerCall(fn, raw, iterations));
    results[name]![label] = Math.round(median(rounds) * 100) / 100;
  }
  process.stdout.write(JSON.stringify({ path: name, usPerInvite: results[name]!.invite, usPer200: results[name]!['200'] }) + '\n');
}
process.stdout.write(JSON.stringify({ ratio: 'sip.js/ours', invite: Math.round(results['sip.js']!.invite! / results.ours!.invite!), ok: Math.round(results['sip.js']!['200']! / results.ours!['200']!) }) + '\n');
