import { getHeaderValues, parseVia, prependHeader, splitHeaderList, type Via } from '../sip/message/headers.js';
import { headerKey, type SipMessage } from '../sip/message/sip-message.js';
import type { Endpoint, Flow } from '../sip/transport/types.js';
import { defaultPort } from './sip-uri.js';

/** Rewrites the topmost Via value, wherever it sits in a comma-joined header line. */
function replaceTopVia(message: SipMessage, replace: (value: string) => string | undefined): void {
  const key = headerKey('via');
  const index = message.headers.findIndex((h) => h.key === key);
  if (index < 0) return;
  const header = message.headers[index]!;
  const values = splitHeaderList(header.value);
  const next = replace(values[0]!);
  if (next === undefined) values.shift();
  else values[0] = next;
  if (values.length === 0) message.headers.splice(index, 1);
  else header.value = values.join(', ');
}

/**
 * RFC 3261 §18.2.1: a server adds `received` when the packet's source differs from the Via
 * sent-by; RFC 3581 §4: with an empty `rport` it fills in the source port and always adds
 * `received`. This is what lets a response find a phone behind NAT, as in the iptel captures.
 */
export function stampReceived(message: SipMessage, flow: Flow): void {
  replaceTopVia(message, (value) => {
    const via = parseVia(value);
    const wantsRport = via.params.has('rport') && via.params.get('rport') === '';
    let next = value;
    if (wantsRport) next = next.replace(/;\s*rport(?=;|$|\s)/i, `;rport=${flow.remote.port}`);
    if ((wantsRport || via.host !== flow.remote.address) && !via.params.has('received')) next += `;received=${flow.remote.address}`;
    return next;
  });
}

/** RFC 3261 §16.6 step 8: our Via goes on top of a forwarded request. */
export function pushVia(message: SipMessage, value: string): void {
  prependHeader(message, 'via', value);
}

/** RFC 3261 §16.7 step 3: a response loses our (topmost) Via before it goes upstream. */
export function popVia(message: SipMessage): void {
  replaceTopVia(message, () => undefined);
}

export function allVias(message: SipMessage): Via[] {
  return getHeaderValues(message, 'via').map(parseVia);
}

/** RFC 3261 §18.2.2 with RFC 3581: where a response to this Via goes, when no flow is known. */
export function responseAddress(via: Via): Endpoint {
  const rport = via.params.get('rport');
  const protocol = via.transport.toLowerCase() as Parameters<typeof defaultPort>[0];
  const port = rport ? Number(rport) : (via.port ?? defaultPort(protocol));
  return { address: via.params.get('received') ?? via.host, port };
}
