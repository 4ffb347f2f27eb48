import { getHeader, getHeaderValues, parseCSeq } from '../sip/message/headers.js';
import { canonicalHeaderName, headerKey, type SipRequest, type SipResponse } from '../sip/message/sip-message.js';

/**
 * Requests the proxy sends downstream on its own, built from the INVITE it forwarded:
 * - CANCEL (RFC 3261 §9.1): same Request-URI, Call-ID, From, To, CSeq number and a single Via
 *   equal to the INVITE's top Via (our branch), Route headers copied;
 * - ACK for a non-2xx final (§17.1.1.3): the same, but To taken from the response (its tag).
 */
export function createHopRequest(forwarded: SipRequest, method: 'ACK' | 'CANCEL', response?: SipResponse): SipRequest {
  const request: SipRequest = { kind: 'request', method, uri: forwarded.uri, headers: [], body: '' };
  const add = (name: string, value: string) => request.headers.push({ key: headerKey(name), name: canonicalHeaderName(headerKey(name)), value });
  add('via', getHeaderValues(forwarded, 'via')[0]!);
  for (const route of getHeaderValues(forwarded, 'route')) add('route', route);
  add('max-forwards', '70');
  add('from', getHeader(forwarded, 'from') ?? '');
  add('to', (response && getHeader(response, 'to')) ?? getHeader(forwarded, 'to') ?? '');
  add('call-id', getHeader(forwarded, 'call-id') ?? '');
  add('cseq', `${parseCSeq(forwarded).seq} ${method}`);
  add('content-length', '0');
  return request;
}

export function cloneMessage<T extends SipRequest | SipResponse>(message: T): T {
  return { ...message, headers: message.headers.map((h) => ({ ...h })) };
}
