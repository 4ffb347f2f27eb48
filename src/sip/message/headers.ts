import { SipParseError } from './parse-message.js';
import { canonicalHeaderName, headerKey, type SipMessage } from './sip-message.js';

/** First value of a header (by long or compact name), or undefined. */
export function getHeader(message: SipMessage, name: string): string | undefined {
  const key = headerKey(name);
  return message.headers.find((h) => h.key === key)?.value;
}

/** Every value of a header, comma-separated lists split (Via, Route, Contact, …). */
export function getHeaderValues(message: SipMessage, name: string): string[] {
  const key = headerKey(name);
  const values: string[] = [];
  for (const header of message.headers) if (header.key === key) values.push(...splitHeaderList(header.value));
  return values;
}

export function setHeader(message: SipMessage, name: string, value: string): void {
  const key = headerKey(name);
  const existing = message.headers.find((h) => h.key === key);
  if (existing) existing.value = value;
  else message.headers.push({ key, name: canonicalHeaderName(key), value });
}

export function removeHeaders(message: SipMessage, name: string): void {
  const key = headerKey(name);
  message.headers = message.headers.filter((h) => h.key !== key);
}

/** Adds a header line above every other header of the same name (Via, Record-Route). */
export function prependHeader(message: SipMessage, name: string, value: string): void {
  const key = headerKey(name);
  const index = message.headers.findIndex((h) => h.key === key);
  const header = { key, name: canonicalHeaderName(key), value };
  if (index < 0) message.headers.push(header);
  else message.headers.splice(index, 0, header);
}

/** Splits `a, "b,c" <sip:d>, e` at top-level commas: not inside quotes or angle brackets. */
export function splitHeaderList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && c === ',') {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last.length > 0 || parts.length === 0) parts.push(last);
  return parts.filter((p) => p.length > 0);
}

/** `;a=b;c` → Map { a → "b", c → "" }. Names are lower-cased; values keep their case. */
export function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of text.split(';')) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) params.set(trimmed.toLowerCase(), '');
    else params.set(trimmed.slice(0, eq).trim().toLowerCase(), trimmed.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return params;
}

export interface Via {
  /** `UDP`, `TCP`, `TLS`, `WS`, `WSS`, upper-case as on the wire. */
  transport: string;
  host: string;
  port: number | undefined;
  branch: string | undefined;
  params: Map<string, string>;
}

/** RFC 3261 §20.42: `SIP/2.0/UDP host:port;branch=…;rport`. */
export function parseVia(value: string): Via {
  const match = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^;\s]+)\s*(;.*)?$/.exec(value.trim());
  if (!match) throw new SipParseError(`bad Via ${JSON.stringify(value.slice(0, 80))}`);
  const { host, port } = splitHostPort(match[2]!);
  const params = parseParams(match[3] ?? '');
  return { transport: match[1]!.toUpperCase(), host, port, branch: params.get('branch'), params };
}

export function topVia(message: SipMessage): Via {
  const first = getHeaderValues(message, 'via')[0];
  if (first === undefined) throw new SipParseError('no Via header');
  return parseVia(first);
}

const MAX_CSEQ = 2 ** 32 - 1;

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(message: SipMessage): CSeq {
  const value = getHeader(message, 'cseq');
  // The method is an RFC 3261 §25.1 token, which allows far more than letters (RFC 4475 §3.1.1.3).
  const match = value ? /^(\d+)\s+([A-Za-z0-9.!%*_+`'~-]+)$/.exec(value.trim()) : null;
  if (!match) throw new SipParseError(`bad or missing CSeq ${JSON.stringify(value ?? '')}`);
  const seq = Number(match[1]);
  // RFC 3261 §8.1.1.5: a 32-bit unsigned sequence number (RFC 4475 §3.1.2.4 sends a larger one).
  if (seq > MAX_CSEQ) throw new SipParseError(`CSeq ${match[1]} is larger than 2^32-1`);
  return { seq, method: match[2]!.toUpperCase() };
}

export function splitHostPort(text: string): { host: string; port: number | undefined } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    const port = text.slice(close + 1).startsWith(':') ? Number(text.slice(close + 2)) : undefined;
    return { host: text.slice(1, close), port };
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { host: text, port: undefined };
  return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
}

/** The `expires` parameter of a Contact value (outside the URI's angle brackets), or undefined. */
export function contactExpires(contact: string): number | undefined {
  const close = contact.lastIndexOf('>');
  const value = parseParams(close >= 0 ? contact.slice(close + 1) : contact.slice(uriOf(contact).length)).get('expires');
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Seconds a registrar's 2xx to a REGISTER grants the binding of `contactUri` (RFC 3261 §10.2.4):
 * the `expires` parameter of that Contact in the response (URIs compared without their
 * parameters, case-insensitively), else the Expires header; undefined when neither says.
 */
export function grantedExpires(response: SipMessage, contactUri: string): number | undefined {
  const bare = (uri: string): string => uri.split(';')[0]!.trim().toLowerCase();
  const ours = bare(contactUri);
  const mine = getHeaderValues(response, 'contact').find((contact) => bare(uriOf(contact)) === ours);
  const param = mine === undefined ? undefined : contactExpires(mine);
  if (param !== undefined) return param;
  const header = getHeader(response, 'expires')?.trim();
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

/** The `tag` parameter of a From or To value, outside the URI's angle brackets. */
export function tagOf(nameAddr: string | undefined): string | undefined {
  if (!nameAddr) return undefined;
  const close = nameAddr.lastIndexOf('>');
  return parseParams(nameAddr.slice(close + 1)).get('tag');
}

/** The URI inside `"Name" <sip:…>;params`, or the bare URI before its header params. */
export function uriOf(nameAddr: string): string {
  const open = nameAddr.indexOf('<');
  if (open >= 0) return nameAddr.slice(open + 1, nameAddr.indexOf('>', open));
  return nameAddr.split(';')[0]!.trim();
}
