/**
 * The load path's reader: one pass over the header lines of a datagram, keeping only what a
 * load-mode UA acts on (status or method, Call-ID, CSeq, To tag, challenge, and for callees the
 * lines a response copies). No header objects, no parameter maps, no full parse: the lab path's
 * `parseSipMessage` builds all of that and costs several times more per message.
 *
 * Compact header forms (RFC 3261 §7.3.3) are understood; folded lines are not (nobody folds
 * under load, and a message we cannot read is counted, not guessed at).
 */
export interface ScannedMessage {
  /** 0 for a request. */
  status: number;
  /** Request method, '' for a response. */
  method: string;
  callId: string;
  cseq: number;
  cseqMethod: string;
  /** Raw To value (with its tag when it has one). */
  to: string;
  toTag: string | undefined;
  /** Proxy-Authenticate or WWW-Authenticate value of a 407/401. */
  challenge: string | undefined;
  /** Record-Route values in message order. */
  recordRoutes: string[];
  /** Contact value (first). */
  contact: string | undefined;
  /** Requests: raw header lines a response copies, CRLF included (RFC 3261 §8.2.6.2). */
  viaLines: string;
  fromLine: string;
  callIdLine: string;
  cseqLine: string;
  recordRouteLines: string;
  /** The text scanned, and where its body starts (its length when there is none). */
  raw: string;
  bodyStart: number;
}

export class ScanError extends Error {
  constructor(reason: string) {
    super(`unreadable SIP message: ${reason}`);
    this.name = 'ScanError';
  }
}

export function scanSipMessage(raw: string): ScannedMessage {
  const firstEnd = raw.indexOf('\r\n');
  if (firstEnd < 0) throw new ScanError('no CRLF');
  const message: ScannedMessage = {
    status: 0,
    method: '',
    callId: '',
    cseq: 0,
    cseqMethod: '',
    to: '',
    toTag: undefined,
    challenge: undefined,
    recordRoutes: [],
    contact: undefined,
    viaLines: '',
    fromLine: '',
    callIdLine: '',
    cseqLine: '',
    recordRouteLines: '',
    raw,
    bodyStart: 0,
  };
  if (raw.startsWith('SIP/2.0 ')) {
    message.status = Number(raw.slice(8, 11));
    if (!(message.status >= 100 && message.status < 700)) throw new ScanError(`bad status line ${JSON.stringify(raw.slice(0, firstEnd))}`);
  } else {
    const space = raw.indexOf(' ');
    if (space <= 0 || space > firstEnd) throw new ScanError(`bad start line ${JSON.stringify(raw.slice(0, Math.min(firstEnd, 60)))}`);
    message.method = raw.slice(0, space);
  }
  const isRequest = message.status === 0;
  let start = firstEnd + 2;
  for (;;) {
    const end = raw.indexOf('\r\n', start);
    if (end < 0) throw new ScanError('headers do not end with an empty line');
    if (end === start) break;
    const colon = raw.indexOf(':', start);
    if (colon < 0 || colon > end) throw new ScanError('header line without a colon');
    let nameEnd = colon;
    while (nameEnd > start && raw.charCodeAt(nameEnd - 1) === 0x20) nameEnd--;
    switch (headerName(raw, start, nameEnd)) {
      case 'via':
        if (isRequest) message.viaLines += raw.slice(start, end + 2);
        break;
      case 'from':
        if (isRequest) message.fromLine = raw.slice(start, end + 2);
        break;
      case 'to':
        message.to = value(raw, colon, end);
        message.toTag = tagOf(message.to);
        break;
      case 'call-id':
        message.callId = value(raw, colon, end);
        if (isRequest) message.callIdLine = raw.slice(start, end + 2);
        break;
      case 'cseq': {
        const text = value(raw, colon, end);
        const space = text.indexOf(' ');
        message.cseq = Number(text.slice(0, space));
        message.cseqMethod = text.slice(space + 1).trim();
        if (isRequest) message.cseqLine = raw.slice(start, end + 2);
        break;
      }
      case 'record-route':
        message.recordRoutes.push(value(raw, colon, end));
        if (isRequest) message.recordRouteLines += raw.slice(start, end + 2);
        break;
      case 'contact':
        message.contact ??= value(raw, colon, end);
        break;
      case 'proxy-authenticate':
      case 'www-authenticate':
        message.challenge ??= value(raw, colon, end);
        break;
    }
    start = end + 2;
  }
  message.bodyStart = start + 2;
  if (!message.callId || !message.cseqMethod || !Number.isInteger(message.cseq)) throw new ScanError('no Call-ID or CSeq');
  return message;
}

type ScannedHeader = 'via' | 'from' | 'to' | 'call-id' | 'cseq' | 'record-route' | 'contact' | 'proxy-authenticate' | 'www-authenticate' | '';

/** Compact forms (RFC 3261 §7.3.3) of the headers the scanner reads, by lower-case letter. */
const COMPACT: Readonly<Record<string, ScannedHeader>> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact' };
/** The long names, grouped by length and lower-case first letter: a candidate is compared, never sliced. */
const BY_LENGTH_AND_LETTER = new Map<number, ScannedHeader[]>();
for (const name of ['via', 'from', 'to', 'call-id', 'cseq', 'record-route', 'contact', 'proxy-authenticate', 'www-authenticate'] as const) {
  const key = name.length * 128 + name.charCodeAt(0);
  BY_LENGTH_AND_LETTER.set(key, [...(BY_LENGTH_AND_LETTER.get(key) ?? []), name]);
}

/**
 * Which scanned header `raw[start, end)` names, case-insensitively; '' for any other. Every
 * header line of every datagram passes here, so it allocates nothing (a lower-cased slice per
 * line was two strings per line, a dozen lines per message, thousands of messages a second).
 */
function headerName(raw: string, start: number, end: number): ScannedHeader {
  const length = end - start;
  const first = raw.charCodeAt(start) | 0x20;
  if (length === 1) return COMPACT[String.fromCharCode(first)] ?? '';
  const candidates = BY_LENGTH_AND_LETTER.get(length * 128 + first);
  if (candidates === undefined) return '';
  for (const name of candidates) if (equalsLowerCase(raw, start, name)) return name;
  return '';
}

/** `raw` from `start` spells `lower` (all lower case) in any case, its first character already matched by the caller. Only letters differ by 0x20 between cases: others must match exactly. */
function equalsLowerCase(raw: string, start: number, lower: string): boolean {
  for (let i = 1; i < lower.length; i++) {
    const want = lower.charCodeAt(i);
    const got = raw.charCodeAt(start + i);
    if (got !== want && !(want >= 0x61 && want <= 0x7a && got === want - 0x20)) return false;
  }
  return true;
}

function value(raw: string, colon: number, end: number): string {
  return raw.slice(colon + 1, end).trim();
}

/** `;tag=` after the URI (outside angle brackets), up to the next `;`. */
export function tagOf(nameAddr: string): string | undefined {
  // Each `;` after the URI in turn, compared in place (no lower-cased copy of the header per message).
  let at = nameAddr.indexOf(';', nameAddr.lastIndexOf('>') + 1);
  while (at >= 0 && !equalsLowerCase(nameAddr, at, ';tag=')) at = nameAddr.indexOf(';', at + 1);
  if (at < 0) return undefined;
  const semi = nameAddr.indexOf(';', at + 5);
  return nameAddr.slice(at + 5, semi < 0 ? undefined : semi).trim();
}

/** The URI inside `<…>` of a name-addr, or the value up to its first `;`. */
export function uriOf(nameAddr: string): string {
  const open = nameAddr.indexOf('<');
  if (open >= 0) return nameAddr.slice(open + 1, nameAddr.indexOf('>', open));
  const semi = nameAddr.indexOf(';');
  return (semi < 0 ? nameAddr : nameAddr.slice(0, semi)).trim();
}

/**
 * `text` in a string of its own. The scanner's fields are slices of the received datagram, and
 * a slice keeps the whole datagram alive: whatever a call keeps for its lifetime (the To with
 * the remote tag, the remote target) is copied out, so that the message can be collected.
 */
export function ownCopy(text: string): string {
  // Concatenating then slicing makes V8 flatten into a new string that shares nothing with `text`.
  return ` ${text}`.slice(1);
}
