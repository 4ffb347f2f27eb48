import type { EventStream } from '../events/event-stream.js';
import { sipMessageEvent } from '../sip/message/message-event.js';
import { LabProxy } from '../proxy/lab-proxy.js';
import type { CancelledInviteStatus } from '../proxy/proxy-options.js';
import { createReliableSocket } from '../sip/reliability/reliable-socket.js';
import { createSipSocket } from '../sip/transport/create-sip-socket.js';
import type { Endpoint, SipSocket, SipSocketOptions, TransportProtocol } from '../sip/transport/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { makeSelfSignedCertificate } from '../util/self-signed-cert.js';

export interface EmbeddedServerOptions {
  transports: readonly TransportProtocol[];
  users: ReadonlyMap<string, string>;
  domain: string;
  events: EventStream;
  bindAddress?: string;
  /** Port for every listener (0: a free port each). */
  port?: number;
  inviteTimeoutMs?: number;
  cancelledInviteStatus?: CancelledInviteStatus;
  /** The longest registration the registrar grants (see LabProxyOptions.maxExpiresS). */
  maxExpiresS?: number;
  /** The shortest registration the registrar accepts, else 423 (see LabProxyOptions.minExpiresS). */
  minExpiresS?: number;
  clock?: Clock;
  logger?: Logger;
  /** TCP/TLS/WS listeners: idle timeout, connection cap and message (buffer) cap; see SipSocketOptions. */
  limits?: Pick<SipSocketOptions, 'idleTimeoutMs' | 'maxConnections' | 'maxMessageBytes'>;
}

export interface EmbeddedServer {
  proxy: LabProxy;
  endpoints: Map<TransportProtocol, Endpoint>;
  /** PEM certificate of the TLS/WSS listeners, for bots to trust; undefined without them. */
  certificate: string | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the embedded lab proxy with one listener per transport. Its traffic is reported
 * from the socket layer (party `proxy`), so UDP retransmissions show up like a bot's do.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const clock = options.clock ?? systemClock;
  const needsCert = options.transports.some((t) => t === 'tls' || t === 'wss');
  const cert = needsCert ? await makeSelfSignedCertificate() : undefined;
  const listeners: SipSocket[] = options.transports.map((protocol) => {
    const raw = createSipSocket({ protocol, listen: true, bindAddress: options.bindAddress ?? '127.0.0.1', port: options.port ?? 0, tls: cert, ...options.limits }, options.logger);
    const socket = createReliableSocket(raw, { clock });
    socket.onWire((record) =>
      options.events.emit({ ...sipMessageEvent('proxy', record.direction, record.raw, record.flow, clock.now()), ...(record.retransmission ? { retransmission: true } : {}) }),
    );
    return socket;
  });
  const proxy = new LabProxy({
    domain: options.domain,
    users: options.users,
    listeners,
    clock,
    logger: options.logger ?? silentLogger,
    inviteTimeoutMs: options.inviteTimeoutMs,
    cancelledInviteStatus: options.cancelledInviteStatus,
    maxExpiresS: options.maxExpiresS,
    minExpiresS: options.minExpiresS,
  });
  await proxy.start();
  const endpoints = new Map(listeners.map((socket) => [socket.protocol, socket.local] as const));
  return { proxy, endpoints, certificate: cert?.cert, stop: () => proxy.stop() };
}
