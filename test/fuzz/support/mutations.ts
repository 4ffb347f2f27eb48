import type { Random } from '../../../src/util/seeded-random.js';

/** One fuzz input and how it was made (printed when a run fails, to replay it by seed). */
export interface Mutant {
  kind: string;
  bytes: Buffer;
}

const SEEDS = [
  (via: string, n: number) =>
    `INVITE sip:bob@lab.test SIP/2.0\r\nVia: SIP/2.0/UDP ${via};rport;branch=z9hG4bK-fz${n}\r\nMax-Forwards: 70\r\nFrom: <sip:alice@lab.test>;tag=f${n}\r\nTo: <sip:bob@lab.test>\r\nCall-ID: fuzz-${n}@sipbots\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@${via}>\r\nContent-Type: application/sdp\r\nContent-Length: 31\r\n\r\nv=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n`,
  (via: string, n: number) =>
    `REGISTER sip:lab.test SIP/2.0\r\nVia: SIP/2.0/UDP ${via};rport;branch=z9hG4bK-fz${n}\r\nMax-Forwards: 70\r\nFrom: <sip:alice@lab.test>;tag=f${n}\r\nTo: <sip:alice@lab.test>\r\nCall-ID: fuzz-${n}@sipbots\r\nCSeq: 1 REGISTER\r\nContact: <sip:alice@${via}>\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n`,
  (via: string, n: number) =>
    `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP ${via};branch=z9hG4bK-fz${n}\r\nFrom: <sip:alice@lab.test>;tag=f${n}\r\nTo: <sip:bob@lab.test>;tag=t${n}\r\nCall-ID: fuzz-${n}@sipbots\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`,
  (via: string, n: number) =>
    `BYE sip:alice@${via} SIP/2.0\r\nVia: SIP/2.0/UDP ${via};rport;branch=z9hG4bK-fz${n}\r\nMax-Forwards: 70\r\nFrom: <sip:bob@lab.test>;tag=t${n}\r\nTo: <sip:alice@lab.test>;tag=f${n}\r\nCall-ID: fuzz-${n}@sipbots\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n`,
];

/**
 * Makes the n-th mutated message: a well-formed SIP message broken in one of the ways the issue
 * lists (truncated, oversized headers, bad Content-Length, binary garbage, huge bodies, thousands
 * of Via headers, invalid UTF-8) or by random byte flips. `maxBytes` keeps UDP datagrams sendable.
 */
export function mutate(random: Random, via: string, n: number, maxBytes: number): Mutant {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const base = pick(SEEDS)(via, n);
  const kinds: Array<[string, () => string | Buffer]> = [
    ['truncated', () => base.slice(0, Math.floor(random() * base.length))],
    ['oversized-header', () => base.replace('\r\nMax-Forwards', `\r\nX-Huge: ${'x'.repeat(1000 + Math.floor(random() * (maxBytes - 2000)))}\r\nMax-Forwards`)],
    ['bad-content-length', () => base.replace(/Content-Length: \d+/, `Content-Length: ${pick(['-1', '99999999999999999999', 'abc', '', '1e3', '0x10', String(Math.floor(random() * 100_000)), ' 12 34'])}`)],
    ['binary-garbage', () => randomBytes(random, 1 + Math.floor(random() * 1500))],
    ['garbage-after-start-line', () => Buffer.concat([Buffer.from(base.slice(0, base.indexOf('\r\n') + 2)), randomBytes(random, 200)])],
    ['huge-body', () => base.replace(/Content-Length: \d+\r\n\r\n[\s\S]*$/, () => {
      const size = maxBytes - 600;
      return `Content-Length: ${size}\r\n\r\n${'b'.repeat(size)}`;
    })],
    ['thousands-of-via', () => {
      const count = Math.min(3000, Math.floor((maxBytes - 800) / 48));
      const vias = Array.from({ length: count }, (_, i) => `Via: SIP/2.0/UDP 192.0.2.${i % 250}:5060;branch=z9hG4bK${i}`).join('\r\n');
      return base.replace(/(\r\nVia: [^\r]*)/, `$1\r\n${vias}`);
    }],
    ['invalid-utf8', () => {
      const bytes = Buffer.from(base, 'latin1');
      const at = Math.floor(random() * bytes.length);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), bytes.subarray(at)]);
    }],
    ['byte-flips', () => {
      const bytes = Buffer.from(base, 'utf8');
      for (let i = 0; i < 1 + Math.floor(random() * 8); i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      return bytes;
    }],
    ['header-folding-chaos', () => base.replace(/\r\n(?=[A-Z])/g, () => pick(['\r\n', '\r\n ', '\r\n\t', '\n', '\r\n\r\n']))],
    ['nul-bytes', () => base.replace(/:/g, () => (random() < 0.3 ? ':\u0000' : ':'))],
  ];
  const [kind, make] = pick(kinds);
  const made = make();
  const bytes = Buffer.isBuffer(made) ? made : Buffer.from(made, 'utf8');
  return { kind, bytes: bytes.length > maxBytes ? bytes.subarray(0, maxBytes) : bytes };
}

function randomBytes(random: Random, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}
