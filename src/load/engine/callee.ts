import type { CalleeScript } from './call-script.js';
import { recordMs } from '../results/histograms.js';
import { T1, T2 } from '../../sip/transaction/timer-policy.js';
import { Timer, type BoundLink, type EngineContext } from './load-context.js';
import { bump } from '../results/load-stats.js';
import { uriOf, type ScannedMessage } from './sip-scan.js';
import { PLAIN_RESPONSE, plainResponseTo, type MessageTemplate, type RequestKey, type ResponseKey } from './templates.js';
import type { Timed } from './timer-wheel.js';

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
 * `ring` stays in ringing until CANCEL. Final responses are re-sent at T1 doubling to T2 until
 * their ACK (§17.2.1 for non-2xx, §13.3.1.4 for 2xx), given up after 64·T1 (Timer H).
 * No 100 Trying: a UAS that answers within 200 ms need not send one (§8.2.6.1), and the proxy
 * already sent its own hop-by-hop 100 upstream.
 */
export type CalleeDialogState = 'ringing' | 'answering' | 'confirmed' | 'rejecting' | 'hanging-up';

/** Timer kinds of a scripted dialog, besides Retransmit and Timeout. */
const RingOver = 10;
const HangUpDue = 11;

class CalleeDialog implements Timed {
  generation = 0;
  interval = T1;
  /** Scripted only: the INVITE's copied headers (for the answer, rejection or 487 later) and what a BYE needs. */
  values?: Record<ResponseKey, string>;
  bye?: { request: string; sentAt: number };

  constructor(
    private readonly side: CalleeSide,
    readonly callId: string,
    public state: CalleeDialogState,
    /** Latest response to the INVITE: re-sent for a retransmitted INVITE and by the retransmission timer. */
    public response: string,
  ) {}

  onTimer(kind: number, now: number): void {
    this.side.onDialogTimer(this, kind, now);
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
  private readonly unreliable: boolean;

  constructor(
    private readonly ctx: EngineContext,
    private readonly bound: BoundLink,
    private readonly templates: { answer: MessageTemplate<ResponseKey>; ringing: MessageTemplate<ResponseKey> },
    private readonly script?: CalleeScript,
  ) {
    this.unreliable = bound.link.protocol === 'udp';
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
    if (dialog?.state !== 'hanging-up' || !dialog.bye) return false;
    if (m.status < 200) return true;
    const { stats } = this.ctx;
    bump(stats.counters.statuses, `BYE ${m.status}`);
    recordMs(stats.histograms.response, now - dialog.bye.sentAt);
    recordMs(stats.histograms.bye, now - dialog.bye.sentAt);
    this.drop(m.callId);
    return true;
  }

  onDialogTimer(dialog: CalleeDialog, kind: number, now: number): void {
    if (kind === Timer.Retransmit) {
      this.bound.link.send(dialog.bye ? dialog.bye.request : dialog.response);
      this.ctx.stats.counters.retransmissions++;
      dialog.interval = Math.min(dialog.interval * 2, T2);
      this.ctx.wheel.schedule(dialog, Timer.Retransmit, now + dialog.interval);
    } else if (kind === Timer.Timeout) {
      // Timer H (no ACK for our final response) or F (no answer to our BYE). The caller side will report the call.
      this.ctx.stats.counters.timeouts++;
      this.drop(dialog.callId);
    } else if (kind === RingOver) {
      this.finish(dialog, now);
    } else if (kind === HangUpDue) {
      this.sendBye(dialog, now);
    }
  }

  private onInvite(m: ScannedMessage, now: number): void {
    const known = this.dialogs.get(m.callId);
    if (known) {
      // A retransmitted INVITE: answer it again with the latest response (§13.3.1.4, §17.2.1).
      this.bound.link.send(known.response);
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
    };
    const ringing = this.templates.ringing.render(values);
    this.bound.link.send(ringing);
    if (this.script) return this.onScriptedInvite(m, values, ringing, now);
    values.status = '200 OK';
    const dialog = new CalleeDialog(this, m.callId, 'answering', this.templates.answer.render(values));
    this.dialogs.set(m.callId, dialog);
    this.bound.link.send(dialog.response);
    this.ctx.stats.counters.answered++;
    this.ctx.wheel.schedule(dialog, Timer.Retransmit, now + T1);
    this.ctx.wheel.schedule(dialog, Timer.Timeout, now + 64 * T1);
  }

  private onScriptedInvite(m: ScannedMessage, values: Record<ResponseKey, string>, ringing: string, now: number): void {
    const script = this.script!;
    const dialog = new CalleeDialog(this, m.callId, 'ringing', ringing);
    dialog.values = values;
    this.dialogs.set(m.callId, dialog);
    if (script.hangupAfterMs !== undefined) {
      // The UAS route set is the Record-Route list in order (§12.1.1); the target is the caller's Contact.
      const route = m.recordRoutes.length > 0 ? `Route: ${m.recordRoutes.join(', ')}\r\n` : '';
      this.peers.set(m.callId, { target: m.contact ? uriOf(m.contact) : uriOf(lineValue(m.fromLine)), remote: lineValue(m.fromLine), route });
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
      dialog.response = this.templates.answer.render(values);
      this.ctx.stats.counters.answered++;
    } else {
      values.status = script.finalStatus;
      dialog.state = 'rejecting';
      dialog.response = PLAIN_RESPONSE.render(values);
    }
    this.sendFinal(dialog, now);
  }

  private sendFinal(dialog: CalleeDialog, now: number): void {
    this.ctx.wheel.cancel(dialog);
    dialog.interval = T1;
    this.bound.link.send(dialog.response);
    // A 2xx is re-sent by the UAS core on every transport (§13.3.1.4); a non-2xx only over UDP (Timer G, §17.2.1).
    if (dialog.state === 'answering' || this.unreliable) this.ctx.wheel.schedule(dialog, Timer.Retransmit, now + T1);
    this.ctx.wheel.schedule(dialog, Timer.Timeout, now + 64 * T1);
  }

  private onAck(callId: string, now: number): void {
    const dialog = this.dialogs.get(callId);
    if (dialog?.state === 'answering') {
      dialog.state = 'confirmed';
      this.ctx.wheel.cancel(dialog);
      if (this.script?.hangupAfterMs !== undefined) this.ctx.wheel.schedule(dialog, HangUpDue, now + this.script.hangupAfterMs);
    } else if (dialog?.state === 'rejecting') {
      // The ACK of a non-2xx final ends the transaction; there is no dialog (§17.2.1).
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
    this.sendFinal(dialog, now);
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
    };
    dialog.state = 'hanging-up';
    dialog.bye = { request: this.bound.templates.bodiless.render(values), sentAt: now };
    this.ctx.wheel.cancel(dialog);
    dialog.interval = T1;
    this.bound.link.send(dialog.bye.request);
    // Timer E runs over UDP only (§17.1.2.2); a connection delivers or fails.
    if (this.unreliable) this.ctx.wheel.schedule(dialog, Timer.Retransmit, now + T1);
    this.ctx.wheel.schedule(dialog, Timer.Timeout, now + this.ctx.timeoutMs);
  }

  private drop(callId: string): void {
    const dialog = this.dialogs.get(callId);
    if (!dialog) return;
    this.ctx.wheel.cancel(dialog);
    this.dialogs.delete(callId);
    if (dialog.values) this.peers.delete(callId);
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
