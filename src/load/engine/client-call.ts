import { splitHeaderList } from '../../sip/message/headers.js';
import type { LoadAccount } from '../plan/accounts.js';
import type { CallerScript } from './call-script.js';
import { recordMs } from '../results/histograms.js';
import { T1, T2 } from '../../sip/transaction/timer-policy.js';
import { Timer, type BoundLink, type EngineContext, type ResponseHandler } from './load-context.js';
import { bump } from '../results/load-stats.js';
import { uriOf, type ScannedMessage } from './sip-scan.js';
import { plainResponseTo, type RequestKey } from './templates.js';
import type { Timed } from './timer-wheel.js';

/**
 * One caller's call, the `call` scenario (RFC 3261 §13, §17.1.1 over UDP):
 *
 *   INVITE ──407──▶ ACK, INVITE+credentials ──100/180──▶ ──200──▶ ACK ── hold ──▶ BYE ──200──▶ done
 *
 * States: `inviting` (first INVITE out) → `authenticating` (INVITE with credentials out) →
 * `holding` (ACKed, waiting out --hold) → `hanging-up` (BYE out) → `ended`.
 * Retransmissions: INVITE at T1, 2·T1, 4·T1… until any response (Timer A); BYE at T1 doubling
 * to T2 (Timer E). A transaction without a final response within --timeout fails the call.
 * Latency is measured from the arrival's scheduled time, not from when it was sent.
 *
 * With a scenario file's script (see call-script.ts) the same call also
 * - CANCELs `cancelAfter` into the call if no final response came yet, then ACKs the 487;
 * - hangs up after the script's `hangupAfter` instead of --hold, or waits in `holding` for the
 *   callee's BYE and answers it 200 (§15.1.2);
 * - succeeds only with the expected final status; any other fails it as `expected 486, got 200`
 *   (an unexpected 2xx is ACKed and hung up at once, §15).
 * Without a script none of this runs: the plain path costs what it did.
 */
export type CallState = 'inviting' | 'authenticating' | 'holding' | 'hanging-up' | 'ended';

export class ClientCall implements ResponseHandler {
  generation = 0;
  private state: CallState = 'inviting';
  private readonly callId: string;
  private readonly values: Record<RequestKey, string>;
  private request = '';
  private interval = T1;
  private txStart: number;
  private rang = false;
  /** Last ACK sent, re-sent when its response is retransmitted (the ACK was lost). */
  private ack = '';
  private ackCseq = 0;
  /** The run was interrupted (see hangUp); a CANCEL went out for the pending INVITE. */
  private interrupted = false;
  private cancelSent = false;
  /** Scripted: cancelAfter has passed; the CANCEL goes out at once or with the first provisional. */
  private cancelDue = false;
  /** Scripted: why the call fails however it ends (e.g. answered although 486 was expected). */
  private mismatch?: string;

  constructor(
    private readonly ctx: EngineContext,
    private readonly bound: BoundLink,
    private readonly caller: LoadAccount,
    private readonly calleeUri: string,
    private readonly scheduledAt: number,
    private readonly script?: CallerScript,
  ) {
    this.callId = ctx.ids.callId();
    this.txStart = scheduledAt;
    const from = `<sip:${caller.user}@${caller.domain}>;tag=${ctx.ids.tag()}`;
    this.values = {
      method: 'INVITE',
      ruri: calleeUri,
      branch: ctx.ids.branch(),
      from,
      to: `<${calleeUri}>`,
      call_id: this.callId,
      cseq: '1',
      route: '',
      auth: '',
      contact_user: caller.user,
      expires: '',
    };
  }

  start(): void {
    this.ctx.clients.set(this.callId, this);
    this.sendInvite();
    const cancelAfter = this.script?.cancelAfterMs;
    // Its own timer owner: the call's generation moves with every response and would cancel it.
    if (cancelAfter !== undefined) this.ctx.wheel.schedule({ generation: 0, onTimer: (_kind, now) => this.onCancelDue(now) } satisfies Timed, Timer.Hold, this.scheduledAt + cancelAfter);
  }

  onResponse(m: ScannedMessage, now: number): void {
    if (m.cseqMethod === 'INVITE') this.onInviteResponse(m, now);
    else if (m.cseqMethod === 'BYE' && this.state === 'hanging-up' && m.cseq === 3) this.onByeResponse(m, now);
    // The 200 to our CANCEL: the INVITE's 487 is what ends the call (§9.1).
    else if (m.cseqMethod === 'CANCEL') this.onCancelResponse(m, now);
    else this.ctx.stats.counters.stray++;
  }

  /** A request within the call: the callee's BYE (§15.1.2), answered 200 also in BYE glare. */
  onRequest(m: ScannedMessage, _now: number): void {
    const confirmed = this.state === 'holding' || this.state === 'hanging-up';
    if (m.method !== 'BYE' || !confirmed) {
      this.ctx.stats.counters.stray++;
      this.reply(m, m.method === 'BYE' ? '481 Call/Transaction Does Not Exist' : '501 Not Implemented');
      return;
    }
    this.reply(m, '200 OK');
    // In glare our own BYE still waits for its answer; otherwise the callee ended the call.
    if (this.state === 'holding') this.end();
  }

  /**
   * Interrupted: end the call now. Confirmed: BYE at once instead of at the end of --hold.
   * Ringing (a provisional came): CANCEL. No provisional yet: a CANCEL must wait for one
   * (§9.1), so the response handlers finish the job: CANCEL at the first provisional, BYE
   * right after the ACK of a 2xx, no new INVITE after a challenge.
   */
  hangUp(now: number): void {
    if (this.interrupted || this.state === 'ended' || this.state === 'hanging-up') return;
    this.interrupted = true;
    if (this.state === 'holding') this.sendBye(now);
    else if (this.interval === -1) this.sendCancel(now);
  }

  onTimer(kind: number, now: number): void {
    const { stats } = this.ctx;
    if (kind === Timer.Retransmit) {
      this.bound.link.send(this.request);
      stats.counters.retransmissions++;
      this.interval = this.state === 'hanging-up' || this.cancelSent ? Math.min(this.interval * 2, T2) : this.interval * 2;
      this.retransmitAt(now + this.interval);
    } else if (kind === Timer.Timeout) {
      stats.counters.timeouts++;
      this.end(this.state === 'hanging-up' ? 'timeout BYE' : this.state === 'holding' ? 'no BYE from the callee' : 'timeout INVITE');
    } else if (kind === Timer.Hold) {
      this.sendBye(now);
    }
  }

  private onInviteResponse(m: ScannedMessage, now: number): void {
    const { stats } = this.ctx;
    const current = String(m.cseq) === this.values.cseq && (this.state === 'inviting' || this.state === 'authenticating');
    if (!current) {
      // A retransmitted final response: our ACK was lost, send it again (§17.1.1.3, §13.2.2.4).
      if (m.status >= 200 && m.cseq === this.ackCseq) this.bound.link.send(this.ack);
      // With several proxy workers a 180 can arrive after the 200 (peers-notes): still count it.
      else if ((m.status === 180 || m.status === 183) && !this.rang && this.state !== 'ended' && String(m.cseq) === this.values.cseq) {
        this.rang = true;
        recordMs(this.ctx.stats.histograms.setup_180, now - this.scheduledAt);
      }
      return;
    }
    if (m.status < 200) {
      if (this.interval !== -1 && !this.cancelSent) {
        // A provisional stops Timer A; the call waits for the final response until --timeout.
        this.interval = -1;
        this.ctx.wheel.cancel(this);
        this.ctx.wheel.schedule(this, Timer.Timeout, this.txStart + this.ctx.timeoutMs);
      }
      if ((m.status === 180 || m.status === 183) && !this.rang) {
        this.rang = true;
        recordMs(stats.histograms.setup_180, now - this.scheduledAt);
      }
      if ((this.interrupted || this.cancelDue) && !this.cancelSent) this.sendCancel(now);
      return;
    }
    stats.counters.inviteFinals++;
    bump(stats.counters.statuses, `INVITE ${m.status}`);
    recordMs(stats.histograms.response, now - this.txStart);
    this.ctx.wheel.cancel(this);
    if (m.status < 300) return this.onAnswered(m, now);
    this.sendAck(m.to, this.values.ruri, this.values.branch, '', m.cseq);
    if ((m.status === 407 || m.status === 401) && this.state === 'inviting' && m.challenge && !this.interrupted && !this.cancelSent) {
      this.state = 'authenticating';
      const header = m.status === 407 ? 'Proxy-Authorization' : 'Authorization';
      const credentials = this.ctx.digest.answer(m.challenge, { username: this.caller.user, password: this.caller.password, method: 'INVITE', uri: this.values.ruri });
      this.values.auth = `${header}: ${credentials}\r\n`;
      this.values.cseq = '2';
      this.values.branch = this.ctx.ids.branch();
      this.txStart = now;
      this.interval = T1;
      this.sendInvite();
      return;
    }
    if (this.interrupted) this.end(`interrupted (INVITE ${m.status})`);
    else this.end(this.judge(m.status));
  }

  /** Why a non-2xx final response fails the call, or undefined when it is the one expected. */
  private judge(status: number): string | undefined {
    const rejected = status === 407 || status === 401 ? ' (credentials rejected)' : '';
    if (this.script === undefined) return `INVITE ${status}${rejected}`;
    return status === this.script.expectStatus ? undefined : `expected ${this.script.expectStatus}, got ${status}${rejected}`;
  }

  /** Scripted cancelAfter: CANCEL now if the INVITE has had a provisional, else with the first one (§9.1). */
  private onCancelDue(now: number): void {
    if (this.state !== 'inviting' && this.state !== 'authenticating') return;
    this.cancelDue = true;
    if (this.interval === -1 && !this.cancelSent) this.sendCancel(now);
  }

  /** The CANCEL's final response stops its retransmissions; the INVITE keeps its timeout (Timer B). */
  private onCancelResponse(m: ScannedMessage, now: number): void {
    if (!this.cancelSent || m.status < 200 || (this.state !== 'inviting' && this.state !== 'authenticating')) return;
    bump(this.ctx.stats.counters.statuses, `CANCEL ${m.status}`);
    this.ctx.wheel.cancel(this);
    this.ctx.wheel.schedule(this, Timer.Timeout, Math.max(now, this.txStart + this.ctx.timeoutMs));
  }

  private onAnswered(m: ScannedMessage, now: number): void {
    const { stats } = this.ctx;
    recordMs(stats.histograms.setup_200, now - this.scheduledAt);
    // The route set is the Record-Route list reversed (§12.1.2); the remote target is the Contact.
    const routes = m.recordRoutes.length === 0 ? [] : m.recordRoutes.flatMap((v) => splitHeaderList(v)).reverse();
    this.values.route = routes.length > 0 ? `Route: ${routes.join(', ')}\r\n` : '';
    this.values.to = m.to;
    this.values.ruri = m.contact ? uriOf(m.contact) : this.calleeUri;
    this.values.auth = '';
    this.sendAck(m.to, this.values.ruri, this.ctx.ids.branch(), this.values.route, m.cseq);
    this.state = 'holding';
    const script = this.script;
    if (this.interrupted) this.sendBye(now);
    else if (script === undefined) this.ctx.wheel.schedule(this, Timer.Hold, now + this.ctx.holdMs);
    else if (script.expectStatus >= 300) {
      // Answered though the script expects a failure (or our CANCEL crossed the 200): hang up now.
      this.mismatch = `expected ${script.expectStatus}, got ${m.status}`;
      this.sendBye(now);
    } else if (script.hangupAfterMs !== undefined) this.ctx.wheel.schedule(this, Timer.Hold, now + script.hangupAfterMs);
    else if (script.awaitByeMs !== undefined) this.ctx.wheel.schedule(this, Timer.Timeout, now + script.awaitByeMs + this.ctx.timeoutMs);
    else this.ctx.wheel.schedule(this, Timer.Hold, now + this.ctx.holdMs);
  }

  /** CANCEL the pending INVITE (§9.1): its Request-URI, Call-ID, From, To, CSeq number and branch; retransmitted like any non-INVITE request. */
  private sendCancel(now: number): void {
    this.cancelSent = true;
    this.request = this.bound.templates.bodiless.render({ ...this.values, method: 'CANCEL', auth: '' });
    this.bound.link.send(this.request);
    this.interval = T1;
    this.ctx.wheel.cancel(this);
    this.retransmitAt(now + T1);
    this.ctx.wheel.schedule(this, Timer.Timeout, this.txStart + this.ctx.timeoutMs);
  }

  private sendBye(scheduled: number): void {
    this.state = 'hanging-up';
    this.values.method = 'BYE';
    this.values.cseq = '3';
    this.values.branch = this.ctx.ids.branch();
    // Timed from when the hold was due to end, not from when the wheel got to it.
    this.txStart = scheduled;
    this.request = this.bound.templates.bodiless.render(this.values);
    this.bound.link.send(this.request);
    this.startTimers(this.ctx.now());
  }

  private onByeResponse(m: ScannedMessage, now: number): void {
    if (m.status < 200) {
      this.ctx.wheel.cancel(this);
      this.interval = T2;
      this.retransmitAt(now + this.interval);
      this.ctx.wheel.schedule(this, Timer.Timeout, this.txStart + this.ctx.timeoutMs);
      return;
    }
    const { stats } = this.ctx;
    bump(stats.counters.statuses, `BYE ${m.status}`);
    recordMs(stats.histograms.response, now - this.txStart);
    recordMs(stats.histograms.bye, now - this.txStart);
    this.end(m.status < 300 ? undefined : `BYE ${m.status}`);
  }

  private sendInvite(): void {
    this.ctx.stats.counters.invites++;
    this.request = this.bound.templates.invite.render(this.values);
    this.bound.link.send(this.request);
    this.startTimers(this.ctx.now());
  }

  private startTimers(now: number): void {
    this.interval = T1;
    this.ctx.wheel.cancel(this);
    this.retransmitAt(now + T1);
    this.ctx.wheel.schedule(this, Timer.Timeout, this.txStart + this.ctx.timeoutMs);
  }

  private sendAck(to: string, ruri: string, branch: string, route: string, cseq: number): void {
    const values = { ...this.values, method: 'ACK', ruri, branch, to, route, auth: '', cseq: String(cseq) };
    this.ack = this.bound.templates.bodiless.render(values);
    this.ackCseq = cseq;
    this.bound.link.send(this.ack);
  }

  /** Ends the call once: success without a reason, failure with one. */
  private end(failure?: string): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.ctx.wheel.cancel(this);
    this.ctx.clients.delete(this.callId);
    // A scripted call answered against expectations fails for that, however its BYE went.
    const reason = this.mismatch ?? failure;
    if (reason === undefined) this.ctx.stats.succeed();
    else this.ctx.stats.fail(reason);
  }

  /** A response to a request of the callee's, headers copied from it (§8.2.6.2). */
  private reply(m: ScannedMessage, status: string): void {
    this.bound.link.send(plainResponseTo(m, status));
  }

  /** Timers A and E run on UDP only (RFC 3261 §17.1.1.2, §17.1.2.2): TCP, TLS and WebSocket deliver or fail the connection. */
  private retransmitAt(at: number): void {
    if (this.bound.link.protocol === 'udp') this.ctx.wheel.schedule(this, Timer.Retransmit, at);
  }
}
