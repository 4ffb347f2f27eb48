/**
 * A SIP message as our own code sees it (proxy, event stream, captures, load path).
 * sip.js keeps its own richer model inside the user agent; this one is lean on purpose:
 * headers are kept in wire order with their values untouched, and only the pieces every
 * consumer needs (start line, Via, CSeq, Call-ID) are interpreted.
 */
export interface SipHeader {
  /** Canonical lower-case long name (compact forms expanded: `v` → `via`). */
  readonly key: string;
  /** The name as it should be written back (`Via`, `Call-ID`, …). */
  readonly name: string;
  value: string;
}

interface SipMessageBase {
  headers: SipHeader[];
  body: string;
}

export interface SipRequest extends SipMessageBase {
  readonly kind: 'request';
  method: string;
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  readonly kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** RFC 3261 §7.3.3 compact forms, plus the RFC 3841/3515 ones seen in the wild. */
export const COMPACT_HEADER_NAMES: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
  b: 'referred-by',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
  x: 'session-expires',
  y: 'identity',
};

/** How a header is written when we create it (RFC 3261 capitalisation). */
const CANONICAL_NAMES: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
};

export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT_HEADER_NAMES[lower] ?? lower;
}

export function canonicalHeaderName(key: string): string {
  return CANONICAL_NAMES[key] ?? key.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

export function startLine(message: SipMessage): string {
  return message.kind === 'request'
    ? `${message.method} ${message.uri} SIP/2.0`
    : `SIP/2.0 ${message.status} ${message.reason}`;
}
