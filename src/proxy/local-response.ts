import { getHeader, getHeaderValues, tagOf } from '../sip/message/headers.js';
import type { SipRequest, SipResponse } from '../sip/message/sip-message.js';
import { canonicalHeaderName, headerKey } from '../sip/message/sip-message.js';

export interface LocalResponseOptions {
  /** To tag to add when the request's To has none (RFC 3261 §8.2.6.2); not used for 100. */
  toTag?: string;
  headers?: [string, string][];
  /**
   * Send it statelessly, as Kamailio's sl_send_reply does for challenges and refusals: one reply
   * per request datagram, no retransmission, nothing kept (a forged flood must not be amplified
   * nor fill tables). The To tag is then the proxy's fixed stateless tag.
   */
  stateless?: boolean;
}

/**
 * A response the proxy generates itself (RFC 3261 §8.2.6 and §16.7 for 100 Trying): Via
 * (every value, in order), From, To, Call-ID and CSeq copied from the request. Headers the
 * request lacks are simply left out, so a 400 can still be built for a request missing some.
 */
export function createResponse(request: SipRequest, status: number, reason: string, options: LocalResponseOptions = {}): SipResponse {
  const response: SipResponse = { kind: 'response', status, reason, headers: [], body: '' };
  const add = (name: string, value: string) => response.headers.push({ key: headerKey(name), name: canonicalHeaderName(headerKey(name)), value });
  for (const via of getHeaderValues(request, 'via')) add('via', via);
  const from = getHeader(request, 'from');
  if (from !== undefined) add('from', from);
  const to = getHeader(request, 'to');
  if (to !== undefined) add('to', status > 100 && options.toTag && tagOf(to) === undefined ? `${to};tag=${options.toTag}` : to);
  for (const name of ['call-id', 'cseq']) {
    const value = getHeader(request, name);
    if (value !== undefined) add(name, value);
  }
  for (const [name, value] of options.headers ?? []) add(name, value);
  add('server', 'sipbots-lab-proxy');
  add('content-length', '0');
  return response;
}
