import { splitHeaderList } from '../../sip/message/headers.js';
import type { LoadAccount } from '../plan/accounts.js';
import type { CallerScript } from './call-script.js';
import { recordMs } from '../results/histograms.js';
import { InviteClientState, InviteClientTransaction } from '../../sip/transaction/invite-client.js';
import { NonInviteClientState, NonInviteClientTransaction } from '../../sip/transaction/non-invite-client.js';
import { HELD_BY_USER, policyOf, Timer, type BoundLink, type EngineContext, type ResponseHandler } from './load-context.js';
import { bump } from '../results/load-stats.js';
import { ownCopy, uriOf, type ScannedMessage } from './sip-scan.js';
import { plainResponseTo, type RequestKey } from './templates.js';
import type { Timed } from './timer-wheel.js';
import { CallTransactionUser, type AckParts, type CallMethod, type CallSender } from './call-transaction-user.js';
import { audioTarget } from '../media/load-media.js';
import type { MediaLeg } from '../media/media-leg.js';

/**
 * One caller's call, the `call` scenario (RFC 3261 §13, §17.1.1 over UDP):
 *
 *   INVITE ──407──▶ ACK, INVITE+credentials ──100/180──▶ ──200──▶ ACK ── hold ──▶ BYE ──200──▶ done
 *
 * States: `inviting` (first INVITE out) → `authenticating` (INVITE with credentials out) →
 * `holding` (ACKed, waiting out --hold) → `hanging-up` (BYE out) → `ended`.
 * Each INVITE, CANCEL and BYE is a transaction of src/sip/transaction, which re-sends it
 * (Timers A, E over UDP), ACKs a non-2xx final and its copies, and fails the call when no
 * answer comes within --timeout (Timers B, F). Above them the call keeps its own timers: --hold,
 * and --timeout for a final response after a provisional (Timer B no longer runs once
 * Proceeding). An ended call abandons its transactions: nothing of it stays reachable.
 * Latency is measured from the arrival's scheduled time, not from when it was sent.
 *
 * With a scenario file's script (see call-script.ts) the same call also
 * - CANCELs `cancelAfter` into the call if no final response came yet, then ACKs the 487;
 * - hangs up after the script's `hangupAfter` instead of --hold, or waits in `holding` for the
 *   callee's BYE and answers it 200 (§15.1.2);
 * - succeeds only with the expected final status; any other fails it as `expected 486, got 200`
 *   (an unexpected 2xx is ACKed and hung up at once, §15).
 * Without a script none of this runs: the plain path costs what it did.
 *
 * With `--media rtp` the INVITE waits for a port pair of its own (its SDP offer names it);
 * the 200's SDP answer says where to send the tone, which runs until our BYE (or the
 * callee's); no free pair fails the call before anything is sent.
 */
export type CallState = 'inviting' | 'authenticating' | 'holding' | 'hanging-up' | 'ended';

export class ClientCall implements ResponseHandler, CallSender {
  generation = 0;
  private state: CallState = 'inviting';
  private readonly callId: string;
  private readonly values: Record<RequestKey, string>;
  private txStart: number;
  private rang = false;
  /** The current INVITE's transaction; `challenged` is the first one, answered 401/407. */
  private invite?: { transaction: InviteClientTransaction; user: CallTransactionUser; cseq: number };
  private challenged?: { transaction: InviteClientTransaction; user: CallTransactionUser; cseq: number };
  private cancel?: NonInviteClientTransaction;
  private bye?: NonInviteClientTransaction;
  /**
   * The branch and CSeq of the ACK for the 2xx, which is rendered again (the same bytes) for each
   * retransmission of the 2xx (the ACK was lost, §13.2.2.4): a held call keeps no message text.
   */
  private ackBranch = '';
  private ackCseq = '';
  /** The run was interrupted (see hangUp); a CANCEL went out for the pending INVITE. */
  private interrupted = false;
  private cancelSent = false;
  /** Scripted: cancelAfter has passed; the CANCEL goes out at once or with the first provisional. */
  private cancelDue = false;
  /** Scripted: why the call fails however it ends (e.g. answered although 486 was expected). */
  private mismatch?: string;
  /** `--media rtp`: this call's RTP. */
  private leg?: MediaLeg;

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
      body: '',
    };
  }

  start(): void {
    this.ctx.clients.set(this.callId, this);
    if (this.ctx.media) return this.startWithMedia(this.ctx.media);
    this.sendInvite();
    this.scheduleCancel();
  }

  /** The offer names our port pair, so the INVITE goes once one is ours (at once when the pool has one free). */
  private startWithMedia(media: NonNullable<EngineContext['media']>): void {
    media.open(this.callId, 'caller').then(
      (leg) => {
        // Interrupted (or abandoned) while the pair was being bound.
        if (this.state === 'ended' || this.interrupted) {
          media.finish(leg);
          if (this.state !== 'ended') this.end('interrupted (before INVITE)');
          return;
        }
        this.leg = leg;
        this.values.body = media.sdp(leg, 'sipbots-load');
        this.sendInvite();
        this.scheduleCancel();
      },
      (error: unknown) => this.end(`media: ${(error as Error).message}`),
    );
  }

  private scheduleCancel(): void {
    const cancelAfter = this.script?.cancelAfterMs;
    // Its own timer owner: wheel.cancel(this) at a provisional would cancel it too.
    if (cancelAfter !== undefined) this.ctx.wheel.schedule({ generation: 0, onTimer: (_kind, now) => this.onCancelDue(now) } satisfies Timed, Timer.Hold, this.scheduledAt + cancelAfter);
  }

  onResponse(m: ScannedMessage, now: number): void {
    if (m.cseqMethod === 'INVITE') this.onInviteResponse(m, now);
    else if (m.cseqMethod === 'BYE' && this.state === 'hanging-up' && m.cseq === 3) this.onByeResponse(m, now);
    // The 200 to our CANCEL: the INVITE's 487 is what ends the call (§9.1).
    else if (m.cseqMethod === 'CANCEL') this.onCancelResponse(m);
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
    else if (this.ringing() && !this.cancelSent) this.sendCancel();
  }

  /** The call's own timers: --hold, and --timeout for a final answer or the callee's BYE. */
  onTimer(kind: number, now: number): void {
    if (kind === Timer.Timeout) {
      this.ctx.stats.counters.timeouts++;
      this.end(this.state === 'holding' ? 'no BYE from the callee' : 'timeout INVITE');
    } else if (kind === Timer.Hold) {
      this.sendBye(now);
    }
  }

  abandon(): void {
    this.state = 'ended';
    this.release();
  }

  /** Timer A or E of one of the call's transactions. */
  retransmit(request: string): void {
    this.bound.link.send(request);
    this.ctx.stats.counters.retransmissions++;
  }

  /** Timer B of an INVITE or Timer F of the BYE ends the call; the CANCEL's needs nothing: the INVITE's --timeout, still running, ends it. */
  timedOut(method: CallMethod): void {
    if (method === 'CANCEL') return;
    this.ctx.stats.counters.timeouts++;
    this.end(`timeout ${method}`);
  }

  sendAck(parts: AckParts): void {
    this.bound.link.send(this.ackFor(parts, ''));
  }

  /** The INVITE has had a provisional and no final yet: a CANCEL may go (§9.1). */
  private ringing(): boolean {
    return this.invite?.transaction.state === InviteClientState.Proceeding;
  }

  private onInviteResponse(m: ScannedMessage, now: number): void {
    const { stats } = this.ctx;
    const current = this.invite?.cseq === m.cseq ? this.invite : this.challenged?.cseq === m.cseq ? this.challenged : undefined;
    // A transaction past its linger (Timer D or M) matches nothing any more.
    if (!current || this.state === 'ended' || current.transaction.state === InviteClientState.Terminated) {
      stats.counters.stray++;
      return;
    }
    // With several proxy workers a 180 can arrive after the 200 (peers-notes): still count it.
    if ((m.status === 180 || m.status === 183) && !this.rang && current === this.invite) {
      this.rang = true;
      recordMs(stats.histograms.setup_180, now - this.scheduledAt);
    }
    const { transaction, user } = current;
    const before = transaction.state;
    // The transaction sends the ACK of a non-2xx final itself, now and for each copy (§17.1.1.3).
    if (m.status >= 300 && !user.ack) user.ack = { ruri: this.values.ruri, branch: this.values.branch, cseq: String(m.cseq), to: ownCopy(m.to) };
    if (m.status >= 200) user.answered();
    if (transaction.receive(m) === 'absorb') return;
    if (before === InviteClientState.Accepted) {
      // A retransmitted 2xx: our ACK was lost, send it again (§13.2.2.4).
      this.sendAck2xx();
      return;
    }
    if (m.status < 200) {
      // Proceeding: Timer B stopped; the call waits for the final response until --timeout.
      if (before === InviteClientState.Calling && !this.cancelSent) this.ctx.wheel.schedule(this, Timer.Timeout, this.txStart + this.ctx.timeoutMs);
      if ((this.interrupted || this.cancelDue) && !this.cancelSent) this.sendCancel();
      return;
    }
    stats.counters.inviteFinals++;
    bump(stats.counters.statuses, `INVITE ${m.status}`);
    recordMs(stats.histograms.response, now - this.txStart);
    this.ctx.wheel.cancel(this);
    if (m.status < 300) return this.onAnswered(m, now);
    if ((m.status === 407 || m.status === 401) && this.state === 'inviting' && m.challenge && !this.interrupted && !this.cancelSent) {
      this.state = 'authenticating';
      const header = m.status === 407 ? 'Proxy-Authorization' : 'Authorization';
      const credentials = this.ctx.digest.answer(m.challenge, { username: this.caller.user, password: this.caller.password, method: 'INVITE', uri: this.values.ruri });
      this.values.auth = `${header}: ${credentials}\r\n`;
      this.values.cseq = '2';
      this.values.branch = this.ctx.ids.branch();
      this.txStart = now;
      this.challenged = this.invite;
      this.sendInvite();
      return;
    }
    // Turned away, unless this is the 487 our own CANCEL asked for (§9.1).
    if (!(this.cancelSent && m.status === 487)) stats.counters.refused++;
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
  private onCancelDue(_now: number): void {
    if (this.state !== 'inviting' && this.state !== 'authenticating') return;
    this.cancelDue = true;
    if (this.ringing() && !this.cancelSent) this.sendCancel();
  }

  /** The CANCEL's final response ends its transaction; the INVITE keeps its own timeout. */
  private onCancelResponse(m: ScannedMessage): void {
    const cancel = this.cancel;
    if (!cancel || this.state === 'ended' || cancel.state === NonInviteClientState.Terminated || cancel.receive(m) === 'absorb' || m.status < 200) return;
    if (this.state === 'inviting' || this.state === 'authenticating') bump(this.ctx.stats.counters.statuses, `CANCEL ${m.status}`);
  }

  private onAnswered(m: ScannedMessage, now: number): void {
    const { stats } = this.ctx;
    recordMs(stats.histograms.setup_200, now - this.scheduledAt);
    // The route set is the Record-Route list reversed (§12.1.2); the remote target is the Contact.
    // Own copies: a slice of the 200 would keep its whole text alive for the hold (~550 bytes a call).
    const routes = m.recordRoutes.length === 0 ? [] : m.recordRoutes.flatMap((v) => splitHeaderList(v)).reverse();
    this.values.route = routes.length > 0 ? ownCopy(`Route: ${routes.join(', ')}\r\n`) : '';
    this.values.to = ownCopy(m.to);
    this.values.ruri = m.contact ? ownCopy(uriOf(m.contact)) : this.calleeUri;
    this.values.auth = '';
    this.ackBranch = this.ctx.ids.branch();
    this.ackCseq = String(m.cseq);
    this.sendAck2xx();
    this.state = 'holding';
    // The CANCEL crossed the 200: its transaction has nothing left to do.
    this.cancel?.abandon();
    // No usable answer (no SDP, port 0): the leg only listens, and the verdict will say so.
    this.leg?.start(audioTarget(m.raw, m.bodyStart));
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

  /** CANCEL the pending INVITE (§9.1): its Request-URI, Call-ID, From, To, CSeq number and branch; a non-INVITE transaction of its own. */
  private sendCancel(): void {
    this.cancelSent = true;
    const request = this.bound.templates.bodiless.render({ ...this.values, method: 'CANCEL', auth: '' });
    this.bound.link.send(request);
    // Its Timer F needs no action: the INVITE's --timeout, still running, ends the call.
    const user = new CallTransactionUser(this, request, 'CANCEL');
    this.cancel = new NonInviteClientTransaction(`${this.values.branch}|CANCEL`, this.ctx.clock, policyOf(this.ctx, this.bound.link), HELD_BY_USER, user);
  }

  private sendBye(scheduled: number): void {
    this.stopMedia();
    this.state = 'hanging-up';
    this.ctx.wheel.cancel(this);
    this.values.method = 'BYE';
    this.values.cseq = '3';
    this.values.branch = this.ctx.ids.branch();
    // Timed from when the hold was due to end, not from when the wheel got to it.
    this.txStart = scheduled;
    const request = this.bound.templates.bodiless.render(this.values);
    this.bound.link.send(request);
    const user = new CallTransactionUser(this, request, 'BYE');
    this.bye = new NonInviteClientTransaction(this.values.branch, this.ctx.clock, policyOf(this.ctx, this.bound.link), HELD_BY_USER, user);
  }

  private onByeResponse(m: ScannedMessage, now: number): void {
    // A provisional moves Timer E to T2; copies of the final are absorbed.
    if (!this.bye || this.bye.state === NonInviteClientState.Terminated || this.bye.receive(m) === 'absorb' || m.status < 200) return;
    const { stats } = this.ctx;
    bump(stats.counters.statuses, `BYE ${m.status}`);
    recordMs(stats.histograms.response, now - this.txStart);
    recordMs(stats.histograms.bye, now - this.txStart);
    this.end(m.status < 300 ? undefined : `BYE ${m.status}`);
  }

  private sendInvite(): void {
    this.ctx.stats.counters.invites++;
    const request = (this.leg ? this.bound.templates.mediaInvite : this.bound.templates.invite).render(this.values);
    this.bound.link.send(request);
    const user = new CallTransactionUser(this, request, 'INVITE');
    const transaction = new InviteClientTransaction(this.values.branch, this.ctx.clock, policyOf(this.ctx, this.bound.link), HELD_BY_USER, user);
    this.invite = { transaction, user, cseq: Number(this.values.cseq) };
  }

  /** ACK for the 2xx (§13.2.2.4): a branch of its own, the dialog's target, To and route set. */
  private sendAck2xx(): void {
    const { ruri, to } = this.values;
    this.bound.link.send(this.ackFor({ ruri, branch: this.ackBranch, cseq: this.ackCseq, to }, this.values.route));
  }

  /** ACK for a final response (§17.1.1.3 for a non-2xx: the INVITE's branch; §13.2.2.4 for a 2xx: a new one). */
  private ackFor(parts: AckParts, route: string): string {
    return this.bound.templates.bodiless.render({ ...this.values, ...parts, method: 'ACK', route, auth: '' });
  }

  /** Ends the call once: success without a reason, failure with one. */
  private end(failure?: string): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.stopMedia();
    this.release();
    this.ctx.clients.delete(this.callId);
    // A scripted call answered against expectations fails for that, however its BYE went.
    const reason = this.mismatch ?? failure;
    if (reason === undefined) this.ctx.stats.succeed();
    else this.ctx.stats.fail(reason);
  }

  /** Cancels every timer of the call and of its transactions; drops them. */
  private release(): void {
    this.ctx.wheel.cancel(this);
    this.invite?.transaction.abandon();
    this.challenged?.transaction.abandon();
    this.cancel?.abandon();
    this.bye?.abandon();
    this.invite = this.challenged = this.cancel = this.bye = undefined;
  }

  /** Hanging up (or over): the tone stops, the call's media is judged, its pair goes back to the pool. */
  private stopMedia(): void {
    if (!this.leg) return;
    this.ctx.media?.finish(this.leg);
    this.leg = undefined;
  }

  /** A response to a request of the callee's, headers copied from it (§8.2.6.2). */
  private reply(m: ScannedMessage, status: string): void {
    this.bound.link.send(plainResponseTo(m, status));
  }
}
