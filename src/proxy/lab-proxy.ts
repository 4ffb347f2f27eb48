import { DigestVerifier } from '../sip/auth/digest-verifier.js';
import { topVia } from '../sip/message/headers.js';
import { parseSipMessage, SipParseError } from '../sip/message/parse-message.js';
import { serializeSipMessage } from '../sip/message/serialize-message.js';
import type { SipRequest, SipResponse } from '../sip/message/sip-message.js';
import type { Endpoint, TransportProtocol } from '../sip/transport/types.js';
import { createResponse, type LocalResponseOptions } from './local-response.js';
import { LocationService } from './location-service.js';
import { TransactionTable, type ProxyContext } from './proxy-context.js';
import { resolveProxyOptions, type CancelledInviteStatus, type LabProxyOptions, type ResolvedProxyOptions } from './proxy-options.js';
import { ProxyStateError } from './proxy-errors.js';
import { ProxyWire, targetOf, type Hop } from './proxy-wire.js';
import { RequestHandler } from './request-handler.js';
import { forwardResponseStatelessly } from './stateless.js';
import { checkRequest } from './request-validation.js';
import { answerUnparsable } from './unparsable-request.js';

/**
 * The embedded lab proxy: a registrar and record-routing, digest-authenticating, transaction-
 * stateful proxy in the manner of iptel.org's SER/Kamailio (see /work/shared/lab-reference.md).
 * It sits on injected SipSockets, one per transport, and never retransmits on its own: wrap
 * UDP listeners in the reliability layer (RFC 3261 §17 timers) before handing them in.
 *
 *   const proxy = new LabProxy({ users, listeners: [udp, tcp], events });
 *   await proxy.start();   // opens the listeners
 *   …
 *   await proxy.stop();    // clears timers and closes the listeners
 */
export class LabProxy {
  readonly location: LocationService;
  private readonly options: ResolvedProxyOptions;
  private readonly context: ProxyContext;
  private readonly requests: RequestHandler;
  private running = false;
  private started = false;
  private readonly initialInviteTimeoutMs: number;
  private readonly initialCancelledInviteStatus: CancelledInviteStatus;

  constructor(options: LabProxyOptions) {
    this.options = resolveProxyOptions(options);
    this.initialInviteTimeoutMs = this.options.inviteTimeoutMs;
    this.initialCancelledInviteStatus = this.options.cancelledInviteStatus;
    const o = this.options;
    this.location = new LocationService(o.clock);
    const wire = new ProxyWire(o.listeners, o.clock, o.logger, o.events, o.party);
    const verifier = new DigestVerifier({
      realm: o.realm,
      algorithms: o.algorithms,
      qop: o.qop ? ['auth'] : [],
      nonceTtlMs: o.nonceTtlMs,
      clock: o.clock,
      random: o.random,
      lookupPassword: (user) => o.users.get(user),
    });
    const transactions = new TransactionTable(
      (callback, ms) => o.clock.setTimeout(callback, ms),
      (handle) => o.clock.clearTimeout(handle),
      o.lingerMs,
    );
    this.context = {
      options: o,
      wire,
      location: this.location,
      verifier,
      transactions,
      dialogSecret: o.random(16),
      newBranch: () => `z9hG4bK${o.random(10).toString('hex')}`,
      newTag: () => o.random(6).toString('hex'),
      statelessTag: `sl${o.random(6).toString('hex')}`,
      reply: (request, hop, status, reason, replyOptions) => this.reply(request, hop, status, reason, replyOptions),
    };
    this.requests = new RequestHandler(this.context);
  }

  /** The To tag of the proxy's stateless replies (challenges, refusals). */
  get statelessTag(): string {
    return this.context.statelessTag;
  }

  /** Opens every listener; resolves once all are bound. A proxy starts once: after `stop()`, make a new one. */
  async start(): Promise<void> {
    if (this.started) throw new ProxyStateError(this.running ? 'running' : 'stopped', 'start');
    this.started = true;
    this.running = true;
    for (const socket of this.options.listeners) {
      socket.onFlowClosed((flow) => this.location.removeFlow(socket, flow.id));
    }
    await this.context.wire.open((raw, hop) => this.onMessage(raw, hop));
  }

  /**
   * Changes fr_inv_timer for INVITEs forwarded from now on (a lab case may want a shorter or
   * longer one); undefined restores the value the proxy was started with.
   */
  setInviteTimeout(ms: number | undefined): void {
    this.options.inviteTimeoutMs = ms ?? this.initialInviteTimeoutMs;
  }

  /** Changes the status a cancelled INVITE ends with upstream; undefined restores the start value. */
  setCancelledInviteStatus(status: CancelledInviteStatus | undefined): void {
    this.options.cancelledInviteStatus = status ?? this.initialCancelledInviteStatus;
  }

  /** Stops every timer and closes the listeners. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.context.transactions.clear();
    await this.context.wire.close();
  }

  /** The bound endpoint of each listener (valid after `start()`), e.g. for bots' outbound proxy. */
  endpoints(): { protocol: TransportProtocol; local: Endpoint }[] {
    return this.options.listeners.map((l) => ({ protocol: l.protocol, local: l.local }));
  }

  private onMessage(raw: string, hop: Hop): void {
    if (!this.running) return;
    // Keep-alive CRLFs (RFC 5626 §4.4.1) and stray bytes are not messages.
    if (raw.trim().length === 0) return;
    let message: SipRequest | SipResponse;
    try {
      message = parseSipMessage(raw);
    } catch (error) {
      if (!(error instanceof SipParseError)) throw error;
      this.onUnparsable(error, hop);
      return;
    }
    try {
      if (message.kind === 'request') this.onRequest(message, hop);
      else this.onResponse(message, hop);
    } catch (error) {
      if (!(error instanceof SipParseError)) throw error;
      this.options.logger.info({ reason: error.reason, flow: hop.flow.id }, 'dropped message with a malformed header');
    }
  }

  /**
   * A request the parser refused still gets a stateless 400 or 505 when its Via is readable
   * (RFC 3261 §8.2, §18.3); responses, ACKs and garbage without a readable Via are dropped.
   */
  private onUnparsable(error: SipParseError, hop: Hop): void {
    const answer = answerUnparsable(error);
    if (!answer) {
      this.options.logger.info({ reason: error.reason, flow: hop.flow.id }, 'dropped unparsable message');
      return;
    }
    this.options.logger.info({ reason: error.reason, flow: hop.flow.id, status: answer.status }, 'answered unparsable request');
    this.reply(answer.request, hop, answer.status, answer.reason, { stateless: true });
  }

  private onRequest(request: SipRequest, hop: Hop): void {
    const problem = checkRequest(request);
    if (problem === 'unanswerable') {
      this.options.logger.info({ flow: hop.flow.id, method: request.method }, 'dropped request without a readable Via');
      return;
    }
    if (problem !== undefined) {
      // RFC 3261 §16.3 / §8.2: a request failing the validity checks gets a stateless error,
      // never silence: a UDP sender that hears nothing retransmits for 32 s. ACK is never answered.
      if (request.method !== 'ACK') this.reply(request, hop, problem.status, problem.reason, { stateless: true });
      return;
    }
    this.requests.handle(request, hop);
  }

  private onResponse(response: SipResponse, hop: Hop): void {
    const branch = topBranch(response);
    const owner = branch === undefined ? undefined : this.context.transactions.client(branch);
    if (owner) {
      owner.onResponse(response, hop);
      return;
    }
    // RFC 3261 §16.7 step 2 / §16.11: no transaction (e.g. a 2xx copy after the relay ended)
    // means the response is forwarded statelessly along its Via.
    forwardResponseStatelessly(this.context, response);
  }

  private reply(request: SipRequest, hop: Hop, status: number, reason: string, options?: LocalResponseOptions): void {
    const stateless = options?.stateless === true;
    const response = createResponse(request, status, reason, stateless ? { ...options, toTag: this.context.statelessTag } : options);
    if (request.method === 'INVITE' && status >= 300 && !stateless) {
      const branch = topBranch(request);
      if (branch !== undefined) this.context.transactions.answeredLocally(branch);
    }
    this.context.wire.sendLogged({ ...targetOf(hop), ...(stateless && { stateless }) }, serializeSipMessage(response), `${status} ${reason}`);
  }
}

function topBranch(message: SipRequest | SipResponse): string | undefined {
  try {
    return topVia(message).branch;
  } catch (error) {
    if (error instanceof SipParseError) return undefined;
    throw error;
  }
}
