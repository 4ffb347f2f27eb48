import type { CalleeScript } from './call-script.js';
import { recordMs } from '../results/histograms.js';
import { InviteServerState, InviteServerTransaction } from '../../sip/transaction/invite-server.js';
import { NonInviteClientState, NonInviteClientTransaction } from '../../sip/transaction/non-invite-client.js';
import type { TimerPolicy } from '../../sip/transaction/timer-policy.js';
import type { ClientTransactionUser, ServerTransactionUser } from '../../sip/transaction/transaction-user.js';
import { HELD_BY_USER, policyOf, Timer, type BoundLink, type EngineContext } from './load-context.js';
import { bump } from '../results/load-stats.js';
import { ownCopy, uriOf, type ScannedMessage } from './sip-scan.js';
import { PLAIN_RESPONSE, plainResponseTo, type MessageTemplate, type RequestKey, type ResponseKey } from './templates.js';
import type { Timed } from './timer-wheel.js';
import type { Endpoint } from '../../sip/transport/types.js';
import { audioTarget, type LoadMedia } from '../media/load-media.js';
import type { MediaLeg } from '../media/media-leg.js';

/**
 * The answering side: every callee account of an engine is registered with the Contact of one
 * callee link, and this object answers whatever reaches it. Without a script (plain `call`):
 *
 *   INVITE ──▶ 180, 200 (SDP) ── 200 again at T1, 2·T1 … T2 until ACK (§13.3.1.4) ──▶ confirmed
 *   BYE ──▶ 200 (also for a dialog already gone: a retransmitted BYE must not hang the caller)
 *
 * With a scenario file's callee script, per INVITE:
 *
 *   ringing ── ringFor ──▶ answering (200) ── ACK ──▶ confirmed ── hangupAfter ──▶ hanging-up (BYE) ── 200 ──▶ gone
 *      │                └──▶ rejecting (486, 408…) ── ACK ──▶ gone
 *      └── CANCEL ──▶ 200 to the CANCEL, rejecting (487) ── ACK ──▶ gone (§9.2)
 *
 * `ring` stays in ringing until CANCEL. Each INVITE is an InviteServerTransaction (Timer G
 * re-sends a non-2xx over UDP until the ACK, Timer H gives up at --timeout); the 2xx is re-sent
 * by the dialog itself, the UAS core's job on every transport (§13.3.1.4), at the same T1
 * doubling to T2, given up after --timeout. The callee's own BYE is a NonInviteClientTransaction.
 * A dialog that ends abandons its transactions (no Timer I or L linger): it keeps nothing.
 * No 100 Trying: a UAS that answers within 200 ms need not send one (§8.2.6.1), and the proxy
 * already sent its own hop-by-hop 100 upstream.
 *
 * With `--media rtp` each INVITE first gets a port pair (180 goes out meanwhile); the 200's
 * SDP answer names it and the tone starts towards the offer's address as the 200 goes out (the
 * answerer may send once it has answered, RFC 3264 §6); it stops at BYE. No free pair: 503.
 */
export type CalleeDialogState = 'ringing' | 'answering' | 'confirmed' | 'rejecting' | 'hanging-up';

/** Timer kinds of a dialog, besides Timeout (no ACK for the 2xx): the 2xx re-send and the script's. */
const Resend2xx = 0;
const RingOver = 10;
const HangUpDue = 11;

class CalleeDialog implements Timed, ServerTransactionUser, ClientTransactionUser {
  generation = 0;
  /** The 2xx retransmission interval (§13.3.1.4). */
  interval = 0;
  /** Scripted only: the INVITE's copied headers (for the answer, rejection or 487 later) and what a BYE needs. */
  values?: Record<ResponseKey, string>;
  bye?: { request: string; sentAt: number; transaction: NonInviteClientTransaction };
  readonly server: InviteServerTransaction;
  /** `--media rtp`: this call's RTP, and where the offer asked for it. */
  leg?: MediaLeg;
  offer?: Endpoint;

  constructor(
    private readonly side: CalleeSide,
    readonly callId: string,
    public state: CalleeDialogState,
    /** Latest response to the INVITE: re-sent for a retransmitted INVITE and by Timer G. */
    public response: string,
    ctx: EngineContext,
    policy: TimerPolicy,
  ) {
    this.server = new InviteServerTransaction(callId, ctx.clock, policy, HELD_BY_USER, this);
  }

  onTimer(kind: number, now: number): void {
    this.side.onDialogTimer(this, kind, now);
  }

  /** Timer G, or a retransmitted INVITE in Proceeding or Completed. */
  retransmitResponse(): void {
    this.side.resend(this.response);
  }

  /** Timer E of the callee's BYE. */
  retransmitRequest(): void {
    if (this.bye) this.side.resend(this.bye.request);
  }

  /** Timer H (no ACK for our non-2xx) or F (no answer to our BYE). The caller side will report the call. */
  timedOut(): void {
    this.side.onTimeout(this);
  }
}

/** What a callee's BYE needs from the INVITE: the caller's Contact, From and Record-Route (§12.1.1). */
interface DialogPeer {
  target: string;
  remote: string;
  route: string;
}

export class CalleeSide {
  private readonly dialogs = new Map<string, CalleeDialog>();
  private readonly peers = new Map<string, DialogPeer>();
  private readonly policy: TimerPolicy;

  constructor(
    private readonly ctx: EngineContext,
    private readonly bound: BoundLink,
    private readonly templates: { answer: MessageTemplate<ResponseKey>; mediaAnswer: MessageTemplate<ResponseKey>; ringing: MessageTemplate<ResponseKey> },
    private readonly script?: CalleeScript,
  ) {
    this.policy = policyOf(ctx, bound.link);
  }

  get dialogCount(): number {
    return this.dialogs.size;
  }

  onRequest(m: ScannedMessage, now: number): void {
    switch (m.method) {
      case 'INVITE':
        return this.onInvite(m, now);
      case 'ACK':
        return this.onAck(m.callId, now);
      case 'BYE': {
        const dialog = this.dialogs.get(m.callId);
        // BYE glare (§15.1.1): answer it, and keep waiting for the answer to our own BYE.
        if (dialog?.state !== 'hanging-up') this.drop(m.callId);
        return this.reply(m, '200 OK', m.to);
      }
      case 'OPTIONS':
        return this.reply(m, '200 OK', m.toTag ? m.to : `${m.to};tag=${this.ctx.ids.tag()}`);
      case 'CANCEL':
        return this.onCancel(m, now);
      default:
        return this.reply(m, '501 Not Implemented', m.toTag ? m.to : `${m.to};tag=${this.ctx.ids.tag()}`);
    }
  }

  /** A response on the callee link: ours when it answers a BYE we sent; false leaves it to the engine. */
  onResponse(m: ScannedMessage, now: number): boolean {
    if (m.cseqMethod !== 'BYE') return false;
    const dialog = this.dialogs.get(m.callId);
    const bye = dialog?.bye;
    if (dialog?.state !== 'hanging-up' || !bye) return false;
    // A provisional moves Timer E to T2; copies of the final are absorbed.
    if (bye.transaction.state === NonInviteClientState.Terminated || bye.transaction.receive(m) === 'absorb' || m.status < 200) return true;
    const { stats } = this.ctx;
    bump(stats.counters.statuses, `BYE ${m.status}`);
    recordMs(stats.histograms.response, now - bye.sentAt);
    recordMs(stats.histograms.bye, now - bye.sentAt);
    this.drop(m.callId);
    return true;
  }

  onDialogTimer(dialog: CalleeDialog, kind: number, now: number): void {
    if (kind === Resend2xx) {
      this.resend(dialog.response);
      dialog.interval = this.policy.nextEorG(dialog.interval);
      this.ctx.wheel.schedule(dialog, Resend2xx, now + dialog.interval);
    } else if (kind === Timer.Timeout) {
      // No ACK for our 2xx within --timeout (§13.3.1.4).
      this.onTimeout(dialog);
    } else if (kind === RingOver) {
      this.finish(dialog, now);
    } else if (kind === HangUpDue) {
      this.sendBye(dialog, now);
    }
  }

  /** A response or request sent again (a transaction timer, or the 2xx re-send). */
  resend(raw: string): void {
    this.bound.link.send(raw);
    this.ctx.stats.counters.retransmissions++;
  }

  onTimeout(dialog: CalleeDialog): void {
    this.ctx.stats.counters.timeouts++;
    this.drop(dialog.callId);
  }

  private onInvite(m: ScannedMessage, now: number): void {
    const known = this.dialogs.get(m.callId);
    if (known) {
      // A retransmitted INVITE: Proceeding and Completed answer it with the latest response
      // (§17.2.1); Accepted absorbs it (RFC 6026), and the 2xx is sent at once rather than at
      // the next 2xx re-send, sparing the caller a round of Timer A.
      const { server } = known;
      if (server.state === InviteServerState.Terminated) return;
      server.receive('INVITE');
      if (server.state === InviteServerState.Accepted) this.bound.link.send(known.response);
      return;
    }
    if (m.toTag) {
      // A re-INVITE for a dialog we no longer know (§12.2.2).
      this.reply(m, '481 Call/Transaction Does Not Exist', m.to);
      return;
    }
    const values: Record<ResponseKey, string> = {
      status: '180 Ringing',
      vias: m.viaLines,
      from: m.fromLine,
      to: `${m.to};tag=${this.ctx.ids.tag()}`,
      call_id: m.callIdLine,
      cseq: m.cseqLine,
      record_route: m.recordRouteLines,
      contact_user: userOf(m.to),
      body: '',
    };
    const ringing = this.templates.ringing.render(values);
    this.bound.link.send(ringing);
    const dialog = new CalleeDialog(this, m.callId, 'ringing', ringing, this.ctx, this.policy);
    dialog.server.responded(180);
    this.dialogs.set(m.callId, dialog);
    if (this.ctx.media) return this.answerWithMedia(this.ctx.media, m, dialog, values);
    this.proceed(m, dialog, values, now);
  }

  /** A port pair first (the INVITE's retransmissions get the 180 meanwhile), then as without media. */
  private answerWithMedia(media: LoadMedia, m: ScannedMessage, dialog: CalleeDialog, values: Record<ResponseKey, string>): void {
    const offer = audioTarget(m.raw, m.bodyStart);
    media.open(m.callId, 'callee').then(
      (leg) => {
        if (this.dialogs.get(m.callId) !== dialog) return media.finish(leg);
        dialog.leg = leg;
        dialog.offer = offer;
        values.body = media.sdp(leg, 'sipbots-load-callee');
        this.proceed(m, dialog, values, this.ctx.now());
      },
      () => {
        if (this.dialogs.get(m.callId) !== dialog) return;
        // No media resources now: 503, the server is temporarily unable to take the call (§21.5.4).
        values.status = '503 Service Unavailable';
        dialog.state = 'rejecting';
        dialog.response = PLAIN_RESPONSE.render(values);
        this.sendFinal(dialog, 503, this.ctx.now());
      },
    );
  }

  private proceed(m: ScannedMessage, dialog: CalleeDialog, values: Record<ResponseKey, string>, now: number): void {
    if (this.script) return this.onScriptedInvite(m, dialog, values, now);
    values.status = '200 OK';
    dialog.state = 'answering';
    dialog.response = (dialog.leg ? this.templates.mediaAnswer : this.templates.answer).render(values);
    this.ctx.stats.counters.answered++;
    this.sendFinal(dialog, 200, now);
    dialog.leg?.start(dialog.offer);
  }

  private onScriptedInvite(m: ScannedMessage, dialog: CalleeDialog, values: Record<ResponseKey, string>, now: number): void {
    const script = this.script!;
    dialog.values = values;
    if (script.hangupAfterMs !== undefined) {
      // The UAS route set is the Record-Route list in order (§12.1.1); the target is the caller's Contact.
      // Own copies, kept for the call: slices would keep the whole INVITE's text alive.
      const route = m.recordRoutes.length > 0 ? ownCopy(`Route: ${m.recordRoutes.join(', ')}\r\n`) : '';
      this.peers.set(m.callId, { target: ownCopy(m.contact ? uriOf(m.contact) : uriOf(lineValue(m.fromLine))), remote: ownCopy(lineValue(m.fromLine)), route });
    }
    if (script.action === 'ring') return;
    if (script.ringForMs === 0) this.finish(dialog, now);
    else this.ctx.wheel.schedule(dialog, RingOver, now + script.ringForMs);
  }

  /** Ringing is over: the scripted final response, then retransmitted until ACK. */
  private finish(dialog: CalleeDialog, now: number): void {
    const script = this.script!;
    const values = dialog.values!;
    if (script.action === 'answer') {
      values.status = '200 OK';
      dialog.state = 'answering';
      dialog.response = (dialog.leg ? this.templates.mediaAnswer : this.templates.answer).render(values);
      dialog.leg?.start(dialog.offer);
      this.ctx.stats.counters.answered++;
    } else {
      values.status = script.finalStatus;
      dialog.state = 'rejecting';
      dialog.response = PLAIN_RESPONSE.render(values);
    }
    this.sendFinal(dialog, parseInt(values.status, 10), now);
  }

  private sendFinal(dialog: CalleeDialog, status: number, now: number): void {
    this.ctx.wheel.cancel(dialog);
    this.bound.link.send(dialog.response);
    // A non-2xx: the transaction re-sends it (Timer G, UDP only) until the ACK, gives up at Timer H.
    dialog.server.responded(status);
    if (status >= 300) return;
    // A 2xx is re-sent by the UAS core on every transport (§13.3.1.4), T1 doubling to T2.
    dialog.interval = this.policy.first;
    this.ctx.wheel.schedule(dialog, Resend2xx, now + dialog.interval);
    this.ctx.wheel.schedule(dialog, Timer.Timeout, now + this.policy.transactionTimeout);
  }

  private onAck(callId: string, now: number): void {
    const dialog = this.dialogs.get(callId);
    if (dialog?.state === 'answering') {
      dialog.state = 'confirmed';
      // Nothing re-sends the 2xx any more (its transaction is abandoned just below).
      dialog.response = '';
      this.ctx.wheel.cancel(dialog);
      // The dialog is confirmed; Timer L has nothing left to absorb for a load callee.
      dialog.server.abandon();
      if (this.script?.hangupAfterMs !== undefined) this.ctx.wheel.schedule(dialog, HangUpDue, now + this.script.hangupAfterMs);
    } else if (dialog?.state === 'rejecting') {
      // The ACK of a non-2xx final ends the transaction (Confirmed); there is no dialog (§17.2.1).
      if (dialog.server.state === InviteServerState.Completed) dialog.server.receive('ACK');
      this.drop(callId);
    }
  }

  /** CANCEL (§9.2): 200 to it; an INVITE still ringing then ends with 487, with the same To tag. */
  private onCancel(m: ScannedMessage, now: number): void {
    const dialog = this.dialogs.get(m.callId);
    if (dialog?.state !== 'ringing' || !dialog.values) return this.reply(m, '200 OK', m.to);
    this.reply(m, '200 OK', dialog.values.to);
    dialog.values.status = '487 Request Terminated';
    dialog.state = 'rejecting';
    dialog.response = PLAIN_RESPONSE.render(dialog.values);
    this.sendFinal(dialog, 487, now);
  }

  /** hangupAfter: BYE along the dialog's route set, our own CSeq space starting at 1 (§12.2.1.1, §15.1.1). */
  private sendBye(dialog: CalleeDialog, now: number): void {
    const peer = this.peers.get(dialog.callId);
    if (!peer || !dialog.values) return;
    const values: Record<RequestKey, string> = {
      method: 'BYE',
      ruri: peer.target,
      branch: this.ctx.ids.branch(),
      from: dialog.values.to,
      to: peer.remote,
      call_id: dialog.callId,
      cseq: '1',
      route: peer.route,
      auth: '',
      contact_user: '',
      expires: '',
      body: '',
    };
    this.stopMedia(dialog);
    dialog.state = 'hanging-up';
    this.ctx.wheel.cancel(dialog);
    const request = this.bound.templates.bodiless.render(values);
    this.bound.link.send(request);
    // Timer E runs over UDP only (§17.1.2.2); Timer F is --timeout.
    dialog.bye = { request, sentAt: now, transaction: new NonInviteClientTransaction(values.branch, this.ctx.clock, this.policy, HELD_BY_USER, dialog) };
  }

  private drop(callId: string): void {
    const dialog = this.dialogs.get(callId);
    if (!dialog) return;
    this.ctx.wheel.cancel(dialog);
    dialog.server.abandon();
    dialog.bye?.transaction.abandon();
    this.dialogs.delete(callId);
    this.stopMedia(dialog);
    if (dialog.values) this.peers.delete(callId);
  }

  /** The call is over on our side: the tone stops, its media is judged, the pair goes back. */
  private stopMedia(dialog: CalleeDialog): void {
    if (!dialog.leg) return;
    this.ctx.media?.finish(dialog.leg);
    dialog.leg = undefined;
  }

  private reply(m: ScannedMessage, status: string, to: string): void {
    this.bound.link.send(plainResponseTo(m, status, to));
  }
}

/** `u0002` from `<sip:u0002@lab.test>`. */
function userOf(nameAddr: string): string {
  const start = nameAddr.indexOf('sip:');
  const at = nameAddr.indexOf('@', start);
  return start < 0 || at < 0 ? 'callee' : nameAddr.slice(start + 4, at);
}

/** The value of a raw header line such as `From: <sip:a@b>;tag=x\r\n`. */
function lineValue(line: string): string {
  return line.slice(line.indexOf(':') + 1).trim();
}
