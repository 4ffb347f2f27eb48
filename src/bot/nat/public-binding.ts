import { parseCSeq, topVia } from '../../sip/message/headers.js';
import { parseSipMessage } from '../../sip/message/parse-message.js';
import type { Endpoint } from '../../sip/transport/types.js';

/**
 * Where the registrar saw a REGISTER come from, read off the top Via of its 2xx response:
 * `received` (RFC 3261 §18.2.1) and `rport` (RFC 3581 §4) name the source address and port of
 * the packet, i.e. the NAT's public side. Undefined for anything else, and when the server did
 * not fill in rport (without the port the binding cannot be known; PJSIP needs rport too).
 */
export function registerResponseBinding(raw: string): Endpoint | undefined {
  if (!raw.startsWith('SIP/2.0 2')) return undefined;
  try {
    const message = parseSipMessage(raw);
    if (message.kind !== 'response' || parseCSeq(message).method !== 'REGISTER') return undefined;
    const via = topVia(message);
    const rport = Number(via.params.get('rport') ?? '');
    if (!Number.isInteger(rport) || rport <= 0 || rport > 65535) return undefined;
    return { address: via.params.get('received') ?? via.host, port: rport };
  } catch {
    // Not a well-formed response: the transaction layer above deals with it; it teaches us nothing.
    return undefined;
  }
}

export function sameEndpoint(a: Endpoint | undefined, b: Endpoint | undefined): boolean {
  return a !== undefined && b !== undefined && a.address === b.address && a.port === b.port;
}
