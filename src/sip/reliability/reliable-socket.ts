import { systemClock, type Clock } from '../../util/clock.js';
import { tryBranchOf, tryCSeqOf, tryParseSipMessage } from '../message/tolerant-read.js';
import type { SipMessage } from '../message/sip-message.js';
import { TransportError, type Endpoint, type Flow, type FlowClosedHandler, type MessageHandler, type SipSocket } from '../transport/types.js';
import { ClientTransactions } from './client-transactions.js';
import { ServerTransactions } from './server-transactions.js';
import { DEFAULT_TIMERS, type SipTimerValues } from '../transaction/timer-policy.js';
import type { ReliableSipSocket, SendTarget, Transmit, WireRecord } from './types.js';

export interface ReliableSocketOptions {
  clock?: Clock;
  timers?: Partial<SipTimerValues>;
}

/**
 * Wraps a SipSocket with RFC 3261 §17 reliability for UDP (see `ReliableSipSocket`). sip.js
 * assumes a reliable transport and leaves timers A, E, G out and D, I, J, K at zero; this layer
 * restores them underneath it, so the core above sees each request and final response once.
 * Over TCP, TLS, WS and WSS messages pass straight through (§17.1.1.2: no retransmission).
 */
export function createReliableSocket(socket: SipSocket, options: ReliableSocketOptions = {}): ReliableSipSocket {
  return new ReliableSocket(socket, options.clock ?? systemClock, { ...DEFAULT_TIMERS, ...options.timers });
}

class ReliableSocket implements ReliableSipSocket {
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly wireHandlers: Array<(record: WireRecord) => void> = [];
  private readonly timeoutHandlers: Array<(request: string, flow: Flow) => void> = [];
  private readonly clients: ClientTransactions;
  private readonly servers: ServerTransactions;
  private readonly udp: boolean;

  constructor(
    private readonly socket: SipSocket,
    clock: Clock,
    timers: SipTimerValues,
  ) {
    this.udp = socket.protocol === 'udp';
    // A retransmission the socket refuses did not leave: the transaction's Timer B/F/H reports
    // it unanswered, as for a datagram lost on the way. Anything but a TransportError is a bug.
    const transmit: Transmit = (raw, target, retransmission) =>
      void this.transmit(raw, target, retransmission).catch((error: unknown) => {
        if (!(error instanceof TransportError)) queueMicrotask(() => {
          throw error;
        });
      });
    this.clients = new ClientTransactions(clock, timers, transmit, (raw, target) => this.reportTimeout(raw, target));
    this.servers = new ServerTransactions(clock, timers, transmit);
    socket.onMessage((raw, flow) => this.receive(raw, flow));
  }

  get protocol() {
    return this.socket.protocol;
  }

  get local() {
    return this.socket.local;
  }

  open() {
    return this.socket.open();
  }

  async close(): Promise<void> {
    this.clients.clear();
    this.servers.clear();
    await this.socket.close();
  }

  onMessage(handler: MessageHandler): void {
    this.messageHandlers.push(handler);
  }

  onFlowClosed(handler: FlowClosedHandler): void {
    this.socket.onFlowClosed(handler);
  }

  onWire(handler: (record: WireRecord) => void): void {
    this.wireHandlers.push(handler);
  }

  onTransactionTimeout(handler: (request: string, flow: Flow) => void): void {
    this.timeoutHandlers.push(handler);
  }

  async send(raw: string, target: SendTarget): Promise<Flow> {
    let retransmission = false;
    const message = this.udp ? tryParseSipMessage(raw) : undefined;
    if (message && target.stateless) this.forget(message);
    else if (message) retransmission = this.track(message, raw, target);
    try {
      return await this.transmit(raw, target, retransmission);
    } catch (error) {
      // RFC 3261 §17.1.4, §17.2.4: a transport failure ends the transaction (the caller learns it
      // from this rejection), so no timer re-sends what the socket refused (EINVAL to the other address family).
      if (message && !retransmission && !target.stateless) this.dropRefused(message);
      throw error;
    }
  }

  /**
   * A stateless response ends what the layer kept for its request: nothing re-sends it (Timer G),
   * and a copy of the request goes up again to be answered again, one reply per datagram.
   */
  private forget(message: SipMessage): void {
    const branch = tryBranchOf(message);
    const method = message.kind === 'response' ? tryCSeqOf(message)?.method : undefined;
    if (branch !== undefined && method !== undefined) this.servers.forget(branch, method);
  }

  /** The socket refused `message`: the transaction it started ends with it (a request's, or a response's). */
  private dropRefused(message: SipMessage): void {
    const branch = tryBranchOf(message);
    if (message.kind === 'response') this.forget(message);
    else if (branch !== undefined && message.method !== 'ACK') this.clients.forget(branch, message.method);
  }

  /** Records an outgoing message in its transaction; true if it repeats what was sent already. */
  private track(message: SipMessage, raw: string, target: SendTarget): boolean {
    const branch = tryBranchOf(message);
    if (branch === undefined) return false;
    if (message.kind === 'request') {
      if (message.method === 'ACK') return this.clients.recordAck(branch, raw, target);
      return this.clients.start(branch, message.method, raw, target);
    }
    const method = tryCSeqOf(message)?.method;
    if (method === undefined) return false;
    return this.servers.recordResponse(branch, method, message.status, raw, target);
  }

  private async transmit(raw: string, target: SendTarget, retransmission: boolean): Promise<Flow> {
    // Reported when the bytes are handed to the socket, not when send() resolves: over TLS and
    // WS the write callback can fire after the reply has been read, and the ladder would then
    // show a 407 before the INVITE it answers. Sockets without onWrite are reported on resolve.
    let reported = false;
    const reportOut = (flow: Flow): void => {
      if (reported) return;
      reported = true;
      this.report({ direction: 'out', raw, flow, retransmission, absorbed: false });
    };
    const flow = await this.socket.send(raw, target, reportOut);
    reportOut(flow);
    return flow;
  }

  private receive(raw: string, flow: Flow): void {
    let verdict: { deliver: boolean; retransmission: boolean } = { deliver: true, retransmission: false };
    const message = this.udp ? tryParseSipMessage(raw) : undefined;
    const branch = message ? tryBranchOf(message) : undefined;
    if (message?.kind === 'request' && branch !== undefined) {
      verdict = this.servers.receiveRequest(branch, message.method);
    } else if (message?.kind === 'response' && branch !== undefined) {
      const method = tryCSeqOf(message)?.method;
      if (method !== undefined) verdict = this.clients.receiveResponse(branch, method, message.status, toTagOf(raw));
    }
    this.report({ direction: 'in', raw, flow, retransmission: verdict.retransmission, absorbed: !verdict.deliver });
    if (verdict.deliver) for (const handler of this.messageHandlers) handler(raw, flow);
  }

  private reportTimeout(raw: string, target: SendTarget): void {
    const remote = target.remote ?? { address: '', port: 0 };
    const flow: Flow = { id: target.flowId ?? '', protocol: this.socket.protocol, local: this.socket.local, remote };
    for (const handler of this.timeoutHandlers) handler(raw, flow);
  }

  private report(record: WireRecord): void {
    for (const handler of this.wireHandlers) handler(record);
  }
}

function toTagOf(raw: string): string | undefined {
  const match = /^(?:To|t)\s*:[^\r\n]*;\s*tag=([^;\s>\r\n]+)/im.exec(raw);
  return match?.[1];
}
