import { getHeader, getHeaderValues, parseCSeq, parseVia } from '../sip/message/headers.js';
import { SipParseError } from '../sip/message/parse-message.js';
import type { SipRequest } from '../sip/message/sip-message.js';
import { parseSipUri } from './sip-uri.js';

export interface RequestProblem {
  status: number;
  reason: string;
}

/**
 * RFC 3261 §16.3 request validation, plus the §8.1.1 mandatory headers. Returns undefined for
 * a good request, `unanswerable` when not even the top Via can be read (there is then no
 * address to answer to), or the status and reason phrase of the stateless error response.
 */
export function checkRequest(request: SipRequest): RequestProblem | 'unanswerable' | undefined {
  const vias = getHeaderValues(request, 'via');
  if (vias.length === 0 || !readable(() => parseVia(vias[0]!))) return 'unanswerable';
  const bad = (what: string): RequestProblem => ({ status: 400, reason: `Bad Request (${what})` });
  if (!vias.every((v) => readable(() => parseVia(v)))) return bad('malformed Via');
  for (const name of ['From', 'To', 'Call-ID', 'CSeq']) {
    if (getHeader(request, name) === undefined) return bad(`missing ${name}`);
  }
  // RFC 4475 §3.1.2.15: an unterminated quoted display name makes From/To unreadable.
  for (const name of ['From', 'To']) if (!quotesBalanced(getHeader(request, name)!)) return bad(`unterminated quoted string in ${name}`);
  if (!readable(() => parseCSeq(request))) return bad('malformed CSeq');
  // §8.2.2 / §12.2.1.1: the CSeq method must be the request's (ACK and CANCEL carry their own).
  if (parseCSeq(request).method !== request.method) return bad('CSeq method differs from the request method');
  const maxForwards = getHeader(request, 'max-forwards');
  if (maxForwards !== undefined && !/^\s*\d+\s*$/.test(maxForwards)) return bad('malformed Max-Forwards');
  // §16.3 step 2: a scheme the proxy cannot route on gets 416.
  if (!/^sips?:/i.test(request.uri)) return { status: 416, reason: 'Unsupported URI Scheme' };
  if (!parseSipUri(request.uri)) return bad('malformed Request-URI');
  return undefined;
}

function quotesBalanced(value: string): boolean {
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\' && quoted) i++;
    else if (value[i] === '"') quoted = !quoted;
  }
  return !quoted;
}

function readable(read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch (error) {
    if (error instanceof SipParseError) return false;
    throw error;
  }
}
