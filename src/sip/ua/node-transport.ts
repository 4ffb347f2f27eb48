import { EmitterImpl, TransportState, type Transport } from 'sip.js';
import type { Logger as SipJsLogger } from 'sip.js/lib/core/log/logger.js';
import { tryBranchOf, tryParseSipMessage } from '../message/tolerant-read.js';
import type { ReliableSipSocket } from '../reliability/types.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { LateAnswers, type LateAnswer } from './late-answer.js';
import { formatEndpoint, type Endpoint, type Flow, type TransportProtocol } from '../transport/types.js';

export interface NodeTransportOptions {
  socket: ReliableSipSocket;
  /** Next hop for every request: the outbound proxy / registrar (it may change: RFC 3263 §4.3 failover, TTL). */
  nextHop: () => Endpoint;
  protocol: TransportProtocol;
  /** A 2xx that came after the INVITE had failed: ACKed and ended with BYE here (late-answer.ts). */
  onLateAnswer?: (answer: LateAnswer) => void;
  clock?: Clock;
  /** Each failed send's error (a refused connection, a failed TLS handshake) before sip.js sees it. */
  onSendError?: (error: unknown) => void;
}

/** Flows remembered for answering requests; old ones go first. */
const MAX_REMEMBERED_REQUESTS = 4096;

/**
 * sip.js's transport interface on top of our socket layer. sip.js ships only a browser
 * WebSocket transport; this one carries any of our protocols. Requests go to the configured
 * next hop (an outbound proxy, as softphones do); responses go back over the flow the request
 * arrived on (RFC 3261 §18.2.2, with rport semantics: the source address, not the Via host).
 */
export class NodeTransport implements Transport {
  readonly protocol: string;
  readonly stateChange = new EmitterImpl<TransportState>();
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;

  private currentState = TransportState.Disconnected;
  private readonly options: NodeTransportOptions;
  private readonly requestFlows = new Map<string, Flow>();
  private serverFlow: Flow | undefined;
  private readonly lateAnswers: LateAnswers;

  constructor(
    private readonly logger: SipJsLogger,
    options?: unknown,
  ) {
    this.options = options as NodeTransportOptions;
    this.protocol = this.options.protocol.toUpperCase();
    this.lateAnswers = new LateAnswers({
      send: (raw) => void this.send(raw).catch((error: unknown) => this.logger.error(`sending the ACK or BYE for a late answer failed: ${error instanceof Error ? error.message : String(error)}`)),
      clock: this.options.clock ?? systemClock,
      lingerMs: 32_000,
      onLateAnswer: (answer) => this.options.onLateAnswer?.(answer),
    });
    this.options.socket.onMessage((raw, flow) => this.receive(raw, flow));
    this.options.socket.onFlowClosed((flow) => {
      if (flow.id === this.serverFlow?.id) this.serverFlow = undefined;
    });
  }

  get state(): TransportState {
    return this.currentState;
  }

  async connect(): Promise<void> {
    // The socket is opened by the bot before the user agent exists (its port goes into Via);
    // stream connections to the server are opened on first send.
    this.transition(TransportState.Connected);
    this.onConnect?.();
  }

  async disconnect(): Promise<void> {
    if (this.currentState === TransportState.Disconnected) return;
    this.transition(TransportState.Disconnected);
    this.onDisconnect?.();
  }

  async dispose(): Promise<void> {
    await this.disconnect();
  }

  isConnected(): boolean {
    return this.currentState === TransportState.Connected;
  }

  async send(message: string): Promise<void> {
    this.lateAnswers.sent(message);
    const target = this.targetFor(message);
    const flow = await this.options.socket.send(message, target).catch((error: unknown) => {
      // sip.js turns this into an internal 503 and keeps only that; let the bot know the cause.
      this.options.onSendError?.(error);
      throw error;
    });
    if (!message.startsWith('SIP/2.0') && sameEndpoint(flow.remote, this.options.nextHop())) this.serverFlow = flow;
  }

  private targetFor(message: string): { flowId?: string; remote?: Endpoint } {
    if (message.startsWith('SIP/2.0')) {
      const flow = this.requestFlows.get(branchOf(message) ?? '');
      if (flow) return { flowId: flow.id, remote: flow.remote };
    }
    const server = this.options.nextHop();
    // After a failover the remembered flow leads to the old target.
    if (this.serverFlow && !sameEndpoint(this.serverFlow.remote, server)) this.serverFlow = undefined;
    return { flowId: this.serverFlow?.id, remote: server };
  }

  private receive(raw: string, flow: Flow): void {
    if (!raw.startsWith('SIP/2.0')) {
      const branch = branchOf(raw);
      if (branch !== undefined) this.rememberRequestFlow(branch, flow);
    }
    if (this.lateAnswers.received(raw)) return;
    if (!this.onMessage) {
      this.logger.warn(`message from ${formatEndpoint(flow.remote)} arrived before the user agent listened`);
      return;
    }
    try {
      this.onMessage(raw);
    } catch (error) {
      // sip.js's parser throws on some malformed input (e.g. a response whose CSeq it cannot
      // read): anyone who can send us a datagram could kill the bot. RFC 3261 §18.1.2 / §18.2.1:
      // a malformed message is discarded; say which and why.
      const startLine = JSON.stringify(raw.slice(0, Math.max(0, raw.indexOf('\r\n'))).slice(0, 200));
      this.logger.error(`dropped a message from ${formatEndpoint(flow.remote)} that sip.js could not process (${startLine}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private rememberRequestFlow(branch: string, flow: Flow): void {
    this.requestFlows.delete(branch);
    this.requestFlows.set(branch, flow);
    if (this.requestFlows.size > MAX_REMEMBERED_REQUESTS) {
      const oldest = this.requestFlows.keys().next().value;
      if (oldest !== undefined) this.requestFlows.delete(oldest);
    }
  }

  private transition(state: TransportState): void {
    this.currentState = state;
    this.stateChange.emit(state);
  }
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && a.address.toLowerCase() === b.address.toLowerCase();
}

function branchOf(raw: string): string | undefined {
  // Unparsable: sip.js will reject it itself; we just cannot route a reply by branch.
  const message = tryParseSipMessage(raw);
  return message && tryBranchOf(message);
}
