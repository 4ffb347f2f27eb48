import type { LoadAccount } from '../plan/accounts.js';
import { recordMs } from '../results/histograms.js';
import { NonInviteClientTransaction } from '../../sip/transaction/non-invite-client.js';
import type { ClientTransactionUser } from '../../sip/transaction/transaction-user.js';
import { HELD_BY_USER, policyOf, type BoundLink, type EngineContext, type ResponseHandler } from './load-context.js';
import { bump } from '../results/load-stats.js';
import type { ScannedMessage } from './sip-scan.js';
import type { RequestKey } from './templates.js';

export interface ClientRequestSpec {
  method: 'REGISTER' | 'OPTIONS';
  account: LoadAccount;
  ruri: string;
  /** Address of record in From and To (REGISTER: the account's; OPTIONS: the target's). */
  to: string;
  /** REGISTER only: Expires value (0 removes the binding). */
  expires?: number;
  /** When the request was due: the first transaction's latency starts here. */
  scheduledAt: number;
  /** Record statuses and response times (off for the callee registrations around a run). */
  measure: boolean;
  /** A registration's own Call-ID and first CSeq, kept across its refreshes (RFC 3261 §10.2.4); default a new Call-ID, CSeq 1. */
  callId?: string;
  cseq?: number;
}

export interface ClientRequestResult {
  ok: boolean;
  status: number;
  /** Failure reason, e.g. `REGISTER 403`, `timeout OPTIONS`. */
  reason?: string;
  /** Final response time from the scheduled time, ms. */
  elapsedMs: number;
  /** The final response (none at Timer F): read it in the callback, keep nothing of it. */
  final?: ScannedMessage;
}

/**
 * A non-INVITE request with digest retry (RFC 3261 §17.1.2, §22.2): each send is a
 * NonInviteClientTransaction (Timer E re-sends it over UDP, Timer F is --timeout), answered
 * once with credentials after a 401/407, done at the first other final response or at Timer F.
 * Done, it abandons its transaction: no Timer K linger, nothing of it stays reachable.
 *
 * A load holds thousands of these at once, so one keeps only what it needs: the rendered
 * request (for retransmissions) and the few ids a retry with credentials reuses; the template
 * values are built for each send and dropped.
 */
export class ClientRequest implements ResponseHandler, ClientTransactionUser {
  private readonly callId: string;
  private readonly fromTag: string;
  private cseq: number;
  private request = '';
  private transaction: NonInviteClientTransaction | undefined;
  private txStart: number;
  private authenticated = false;
  private done = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly bound: BoundLink,
    private readonly spec: ClientRequestSpec,
    private readonly onDone: (result: ClientRequestResult) => void,
  ) {
    this.callId = spec.callId ?? ctx.ids.callId();
    this.cseq = spec.cseq ?? 1;
    this.fromTag = ctx.ids.tag();
    this.txStart = spec.scheduledAt;
  }

  start(): void {
    this.ctx.clients.set(this.callId, this);
    this.send('');
  }

  onResponse(m: ScannedMessage, now: number): void {
    if (this.done || m.cseq !== this.cseq || m.cseqMethod !== this.spec.method) {
      this.ctx.stats.counters.stray++;
      return;
    }
    // A provisional moves Timer E to T2 (§17.1.2.2); copies of the final are absorbed.
    if (this.transaction!.receive(m) === 'absorb' || m.status < 200) return;
    if (this.spec.measure) {
      bump(this.ctx.stats.counters.statuses, `${this.spec.method} ${m.status}`);
      recordMs(this.ctx.stats.histograms.response, now - this.txStart);
    }
    if ((m.status === 401 || m.status === 407) && !this.authenticated && m.challenge) {
      this.authenticated = true;
      const header = m.status === 407 ? 'Proxy-Authorization' : 'Authorization';
      const credentials = this.ctx.digest.answer(m.challenge, { username: this.spec.account.user, password: this.spec.account.password, method: this.spec.method, uri: this.spec.ruri });
      this.cseq++;
      this.txStart = now;
      this.send(`${header}: ${credentials}\r\n`);
      return;
    }
    const ok = m.status < 300;
    if (!ok && this.spec.measure) this.ctx.stats.counters.refused++;
    const reason = ok ? undefined : m.status === 401 || m.status === 407 ? `${this.spec.method} ${m.status} (credentials rejected)` : `${this.spec.method} ${m.status}`;
    this.finish({ ok, status: m.status, reason, elapsedMs: now - this.spec.scheduledAt, final: m });
  }

  /** Timer E. */
  retransmitRequest(): void {
    this.bound.link.send(this.request);
    this.ctx.stats.counters.retransmissions++;
  }

  /** Timer F: no final response within --timeout. */
  timedOut(): void {
    if (this.spec.measure) this.ctx.stats.counters.timeouts++;
    this.finish({ ok: false, status: 0, reason: `timeout ${this.spec.method}`, elapsedMs: this.ctx.now() - this.spec.scheduledAt });
  }

  abandon(): void {
    this.done = true;
    this.transaction?.abandon();
    this.transaction = undefined;
    this.request = '';
  }

  /** Sends the request (again with a new branch and CSeq `this.cseq`), `auth` its credentials line or ''. */
  private send(auth: string): void {
    const { spec } = this;
    const template = spec.method === 'REGISTER' ? this.bound.templates.register : this.bound.templates.bodiless;
    const branch = this.ctx.ids.branch();
    const values: Record<RequestKey, string> = {
      method: spec.method,
      ruri: spec.ruri,
      branch,
      from: `<sip:${spec.account.user}@${spec.account.domain}>;tag=${this.fromTag}`,
      to: `<${spec.to}>`,
      call_id: this.callId,
      cseq: String(this.cseq),
      route: '',
      auth,
      contact_user: spec.account.user,
      expires: String(spec.expires ?? 0),
      body: '',
    };
    this.request = template.render(values);
    this.bound.link.send(this.request);
    this.transaction?.abandon();
    this.transaction = new NonInviteClientTransaction(branch, this.ctx.clock, policyOf(this.ctx, this.bound.link), HELD_BY_USER, this);
  }

  private finish(result: ClientRequestResult): void {
    this.abandon();
    this.ctx.clients.delete(this.callId);
    this.onDone(result);
  }
}
