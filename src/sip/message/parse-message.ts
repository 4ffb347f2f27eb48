import { headerKey, type SipHeader, type SipMessage } from './sip-message.js';

/** Thrown for bytes that are not a SIP message; `reason` is what a 400 would say. */
export class SipParseError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`malformed SIP message: ${reason}`, options);
    this.name = 'SipParseError';
  }
}

const MAX_HEADERS = 256;
const REQUEST_LINE = /^([A-Za-z0-9.!%*_+`'~-]+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/;

/**
 * Parses one complete SIP message (already framed: one datagram, one WebSocket frame, or one
 * Content-Length-delimited chunk of a stream). Header values are kept verbatim; folded lines
 * (RFC 3261 §7.3.1) are joined with a single space. The body is cut at Content-Length when
 * present, as §18.3 requires for datagrams carrying trailing bytes.
 */
export function parseSipMessage(raw: string): SipMessage {
  let headerEnd = raw.indexOf('\r\n\r\n');
  let separatorLength = 4;
  if (headerEnd < 0) {
    // Bare-LF messages occur in hand-written tests and some broken stacks; accept them.
    headerEnd = raw.indexOf('\n\n');
    separatorLength = 2;
  }
  if (headerEnd < 0) throw new SipParseError('no blank line after the headers');
  const head = raw.slice(0, headerEnd);
  const lines = head.split(/\r?\n/);
  const first = lines[0] ?? '';
  const headers = parseHeaderLines(lines);
  const body = cutBody(raw.slice(headerEnd + separatorLength), headers);

  const request = REQUEST_LINE.exec(first);
  if (request) {
    return { kind: 'request', method: request[1]!.toUpperCase(), uri: request[2]!, headers, body };
  }
  const response = STATUS_LINE.exec(first);
  if (response) {
    return { kind: 'response', status: Number(response[1]), reason: response[2] ?? '', headers, body };
  }
  throw new SipParseError(`bad start line ${JSON.stringify(first.slice(0, 80))}`);
}

function parseHeaderLines(lines: string[]): SipHeader[] {
  const headers: SipHeader[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    const firstChar = line.charCodeAt(0);
    if (firstChar === 0x20 || firstChar === 0x09) {
      const previous = headers[headers.length - 1];
      if (!previous) throw new SipParseError('continuation line before any header');
      previous.value = `${previous.value} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`header line without a colon: ${JSON.stringify(line.slice(0, 60))}`);
    const name = line.slice(0, colon).trim();
    if (!/^[A-Za-z0-9.!%*_+`'~-]+$/.test(name)) throw new SipParseError(`bad header name ${JSON.stringify(name.slice(0, 40))}`);
    if (headers.length >= MAX_HEADERS) throw new SipParseError(`more than ${MAX_HEADERS} header lines`);
    headers.push({ key: headerKey(name), name, value: line.slice(colon + 1).trim() });
  }
  return headers;
}

function cutBody(rest: string, headers: SipHeader[]): string {
  const lengthHeader = headers.find((h) => h.key === 'content-length');
  if (!lengthHeader) return rest;
  if (!/^\d+$/.test(lengthHeader.value)) throw new SipParseError(`bad Content-Length ${JSON.stringify(lengthHeader.value)}`);
  const length = Number(lengthHeader.value);
  // Content-Length counts bytes; the string holds UTF-16 code units. Compare in bytes only
  // when the body is not plain ASCII (the usual SDP case stays a cheap slice).
  if (isAscii(rest)) {
    if (length > rest.length) throw new SipParseError(`Content-Length ${length} is larger than the ${rest.length}-byte body`);
    return rest.slice(0, length);
  }
  const bytes = Buffer.from(rest, 'utf8');
  if (length > bytes.length) throw new SipParseError(`Content-Length ${length} is larger than the ${bytes.length}-byte body`);
  return bytes.subarray(0, length).toString('utf8');
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
