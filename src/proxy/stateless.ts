import { serializeSipMessage } from '../sip/message/serialize-message.js';
import type { SipResponse } from '../sip/message/sip-message.js';
import type { TransportProtocol } from '../sip/transport/types.js';
import type { ProxyContext } from './proxy-context.js';
import { allVias, popVia, responseAddress } from './via.js';

const PROTOCOLS: readonly string[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

/**
 * RFC 3261 §16.11 stateless response forwarding: the top Via must be ours (else the response
 * was misrouted and is dropped, §16.7 step 2); it is removed and the response goes to the next
 * Via's `received`/`rport` (RFC 3581) or sent-by, reusing a connection to it if one is open.
 */
export function forwardResponseStatelessly(ctx: ProxyContext, response: SipResponse): void {
  const vias = allVias(response);
  const ours = vias[0];
  const next = vias[1];
  const log = ctx.options.logger;
  if (!ours || !ctx.wire.isOwnEndpoint(ours.host, ours.port)) {
    log.info({ status: response.status, via: ours?.host }, 'dropped response whose top Via is not ours');
    return;
  }
  if (!next) {
    log.debug({ status: response.status }, 'dropped response to a request the proxy sent itself');
    return;
  }
  const protocol = next.transport.toLowerCase();
  const socket = PROTOCOLS.includes(protocol) ? ctx.wire.listener(protocol as TransportProtocol) : undefined;
  if (!socket) {
    log.info({ status: response.status, transport: next.transport }, 'dropped response for a transport the proxy does not listen on');
    return;
  }
  popVia(response);
  ctx.wire.sendLogged({ socket, remote: responseAddress(next) }, serializeSipMessage(response), `${response.status} stateless`);
}
