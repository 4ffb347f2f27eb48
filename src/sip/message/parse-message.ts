import { headerKey, type SipHeader, type SipMessage } from './sip-message.js';

/**
 * What could still be read of a message the parser refused, so that a server can answer a
 * broken request (RFC 3261 §8.2, §18.3: 400, or 505 for another SIP version) instead of leaving
 * its sender to retransmit. Each field is present only when that part was readable.
 */
export interface PartialSipMessage {
  /** The first line, verbatim. */
  startLine?: string;
  /** Every header in wire order, when the header block itself parsed. */
  headers?: SipHeader[];
  /** `request` when the first line is shaped like a Request-Line, `response` for a Status-Line. */
  kind?: 'request' | 'response';
  /** The request method, upper-cased, when the first token is an RFC 3261 token. */
  method?: string;
  /** The Request-URI, when the line has exactly three parts. */
  uri?: string;
  /** The SIP-Version at the end of a Request-Line (`SIP/7.0` in RFC 4475 badvers). */
  version?: string;
}

/**
 * Thrown for bytes that are not a SIP message; `reason` is what a 400 would say. Errors from
 * `parseSipMessage` carry `partial`: what could be salvaged (start line, headers, method).
 */
export class SipParseError extends Error {
  readonly partial: PartialSipMessage | undefined;

  constructor(
    readonly reason: string,
    options?: { cause?: unknown; partial?: PartialSipMessage },
  ) {
    super(`malformed SIP message: ${reason}`, options);
    this.name = 'SipParseError';
    this.partial = options?.partial;
  }
}

const MAX_HEADERS = 256;
const REQUEST_LINE = /^([A-Za-z0-9.!%*_+`'~-]+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/;
const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const SIP_VERSION = /^SIP\/\d+\.\d+$/i;

/**
 * Parses one complete SIP message (already framed: one datagram, one WebSocket frame, or one
 * Content-Length-delimited chunk of a stream). Header values are kept verbatim; folded lines
 * (RFC 3261 §7.3.1) are joined with a single space. The body is cut at Content-Length when
 * present, as §18.3 requires for datagrams carrying trailing bytes.
 */
export function parseSipMessage(raw: string): SipMessage {
  try {
    return parseStrictly(raw);
  } catch (error) {
    // Only the failure path pays for the salvage; a good message is parsed once, as before.
    if (error instanceof SipParseError) throw new SipParseError(error.reason, { partial: salvage(raw) });
    throw error;
  }
}

function parseStrictly(raw: string): SipMessage {
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
  throw new SipParseError(startLineProblem(first));
}

/** Why a first line failed, in words fit for a 400 reason phrase. */
function startLineProblem(first: string): string {
  const line = readStartLine(first);
  if (line.kind === 'request' && line.version !== undefined && !isSip20(line.version)) return `unsupported SIP version ${line.version}`;
  if (line.kind === 'request') return 'malformed Request-Line';
  if (line.kind === 'response') return 'malformed Status-Line';
  return `bad start line ${JSON.stringify(first.slice(0, 80))}`;
}

/** RFC 3261 §7.1: the version string is case-insensitive (SIP/2.0 is sent upper-case). */
export function isSip20(version: string): boolean {
  return version.toUpperCase() === 'SIP/2.0';
}

/**
 * Reads what it can of a message that failed to parse: the first line in a liberal way (runs
 * of blanks between its parts, any SIP version) and the header block if it parses on its own.
 * Without a blank line there is no telling where the headers end, so none are salvaged.
 */
function salvage(raw: string): PartialSipMessage {
  const end = raw.search(/\r?\n\r?\n/);
  const lines = (end < 0 ? raw : raw.slice(0, end)).split(/\r?\n/);
  const startLine = lines[0] ?? '';
  const partial: PartialSipMessage = { startLine, ...readStartLine(startLine) };
  if (end >= 0) {
    try {
      partial.headers = parseHeaderLines(lines);
    } catch (error) {
      if (!(error instanceof SipParseError)) throw error;
    }
  }
  return partial;
}

/** `INVITE  sip:a  SIP/2.0` → request INVITE, sip:a, SIP/2.0; `SIP/2.0 200 OK` → response. */
function readStartLine(line: string): Pick<PartialSipMessage, 'kind' | 'method' | 'uri' | 'version'> {
  const parts = line.trim().split(/[ \t]+/);
  if (/^SIP\/\d/i.test(parts[0] ?? '')) return { kind: 'response' };
  const version = parts[parts.length - 1]!;
  if (parts.length < 2 || !TOKEN.test(parts[0]!) || !SIP_VERSION.test(version)) return {};
  const uri = parts.length === 3 ? parts[1] : undefined;
  return { kind: 'request', method: parts[0]!.toUpperCase(), version, ...(uri === undefined ? {} : { uri }) };
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
    if (!TOKEN.test(name)) throw new SipParseError(`bad header name ${JSON.stringify(name.slice(0, 40))}`);
    if (headers.length >= MAX_HEADERS) throw new SipParseError(`more than ${MAX_HEADERS} header lines`);
    headers.push({ key: headerKey(name), name, value: line.slice(colon + 1).trim() });
  }
  return headers;
}

function cutBody(rest: string, headers: SipHeader[]): string {
  const lengthHeader = headers.find((h) => h.key === 'content-length');
  if (!lengthHeader) return rest;
  if (!/^\d+$/.test(lengthHeader.value)) {
    const what = /^-\d+$/.test(lengthHeader.value) ? 'negative' : 'bad';
    throw new SipParseError(`${what} Content-Length ${JSON.stringify(lengthHeader.value.slice(0, 40))}`);
  }
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
