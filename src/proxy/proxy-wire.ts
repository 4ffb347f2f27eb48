import type { EventStream } from '../events/event-stream.js';
import { sipMessageEvent } from '../sip/message/message-event.js';
import type { WireRecord } from '../sip/reliability/types.js';
import { viaTransport, type Endpoint, type Flow, type SipSocket, type TransportProtocol } from '../sip/transport/types.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { DIALOG_TOKEN_PARAM } from './dialog-token.js';

/** Where a message came in: the listener and the flow (RFC 3261 §18.2.2: answers go back on it). */
export interface Hop {
  socket: SipSocket;
  flow: Flow;
}

/** Where a message goes: a listener and an existing flow, or an address to reach over it. */
export interface Target {
  socket: SipSocket;
  flowId?: string;
  remote: Endpoint;
  /** A stateless reply (Kamailio's sl): no transaction keeps or re-sends it. */
  stateless?: boolean;
}

export function targetOf(hop: Hop): Target {
  return { socket: hop.socket, flowId: hop.flow.id, remote: hop.flow.remote };
}

type WireSource = SipSocket & { onWire?: (handler: (record: WireRecord) => void) => void };

/**
 * The proxy's listeners as one wire: opens and closes them, hands every received message up,
 * and reports every message in and out to the event stream. A listener that is a
 * ReliableSipSocket already reports what crossed the wire (retransmissions included) through
 * `onWire`; for those the proxy uses that report instead of its own, so nothing is doubled.
 */
export class ProxyWire {
  constructor(
    readonly listeners: SipSocket[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly events: EventStream | undefined,
    private readonly party: string,
  ) {}

  async open(onMessage: (raw: string, hop: Hop) => void): Promise<void> {
    for (const socket of this.listeners) {
      const source = socket as WireSource;
      const reportsItself = typeof source.onWire === 'function';
      if (reportsItself && this.events) {
        const events = this.events;
        source.onWire!((record) => {
          const event = sipMessageEvent(this.party, record.direction, record.raw, record.flow, this.clock.now());
          if (record.retransmission) event.retransmission = true;
          events.emit(event);
        });
      }
      socket.onMessage((raw, flow) => {
        if (!reportsItself) this.emit('in', raw, flow);
        onMessage(raw, { socket, flow });
      });
      socket.onFlowClosed((flow, error) => this.logger.debug({ flow: flow.id, err: error }, 'flow closed'));
      await socket.open();
      this.logger.info({ protocol: socket.protocol, local: socket.local }, 'proxy listening');
    }
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.listeners.map((socket) => socket.close()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0) throw new AggregateError(failures.map((f) => f.reason as unknown), 'closing proxy listeners failed');
  }

  listener(protocol: TransportProtocol): SipSocket | undefined {
    return this.listeners.find((l) => l.protocol === protocol);
  }

  /** Sends and reports; rejects with the transport's error for the caller to turn into a 503. */
  async send(target: Target, raw: string): Promise<Flow> {
    const flow = await target.socket.send(raw, { flowId: target.flowId, remote: target.remote, ...(target.stateless === true && { stateless: true }) });
    if (typeof (target.socket as WireSource).onWire !== 'function') this.emit('out', raw, flow);
    return flow;
  }

  /** Sends where no one upstream waits for the outcome; a failure is logged with its cause. */
  sendLogged(target: Target, raw: string, what: string): void {
    this.send(target, raw).catch((error: unknown) => {
      this.logger.warn({ err: error, what, remote: target.remote, flow: target.flowId }, 'proxy could not send');
    });
  }

  /** `SIP/2.0/UDP 127.0.0.1:5060;branch=…` for a request leaving through `socket`. */
  via(socket: SipSocket, branch: string): string {
    return `SIP/2.0/${viaTransport(socket.protocol)} ${hostPort(socket.local)};branch=${branch}`;
  }

  /**
   * RFC 3261 §16.6 step 4: a loose-routing Record-Route naming this listener, with the dialog
   * token that later lets the dialog's requests through (src/proxy/dialog-route.ts).
   */
  recordRoute(socket: SipSocket, doubled: boolean, token: string): string {
    return `<sip:${hostPort(socket.local)};transport=${socket.protocol};lr${doubled ? ';r2=on' : ''};${DIALOG_TOKEN_PARAM}=${token}>`;
  }

  isOwnEndpoint(host: string, port: number | undefined): boolean {
    return this.listeners.some((l) => l.local.address === host && (port === undefined || l.local.port === port));
  }

  private emit(direction: 'in' | 'out', raw: string, flow: Flow): void {
    this.events?.emit(sipMessageEvent(this.party, direction, raw, flow, this.clock.now()));
  }
}

function hostPort(endpoint: Endpoint): string {
  return endpoint.address.includes(':') ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}
