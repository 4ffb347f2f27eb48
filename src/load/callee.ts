import { T1, T2, Timer, type EngineContext } from './load-context.js';
import type { LoadLink } from './load-link.js';
import type { ScannedMessage } from './sip-scan.js';
import type { MessageTemplate, ResponseKey } from './templates.js';
import type { Timed } from './timer-wheel.js';

/**
 * The answering side: every callee account of an engine is registered with the Contact of one
 * callee link, and this object answers whatever reaches it:
 *
 *   INVITE ──▶ 180, 200 (SDP) ── 200 again at T1, 2·T1 … T2 until ACK (§13.3.1.4) ──▶ confirmed
 *   BYE ──▶ 200 (also for a dialog already gone: a retransmitted BYE must not hang the caller)
 *
 * No 100 Trying: a UAS that answers within 200 ms need not send one (§8.2.6.1), and the proxy
 * already sent its own hop-by-hop 100 upstream.
 */
class CalleeDialog implements Timed {
  generation = 0;
  interval = T1;
  acked = false;

  constructor(
    private readonly side: CalleeSide,
    readonly callId: string,
    readonly answer: string,
  ) {}

  onTimer(kind: number, now: number): void {
    this.side.onDialogTimer(this, kind, now);
  }
}

export class CalleeSide {
  private readonly dialogs = new Map<string, CalleeDialog>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly link: LoadLink,
    private readonly templates: { answer: MessageTemplate<ResponseKey>; ringing: MessageTemplate<ResponseKey>; plain: MessageTemplate<ResponseKey> },
  ) {}

  get dialogCount(): number {
    return this.dialogs.size;
  }

  onRequest(m: ScannedMessage, now: number): void {
    switch (m.method) {
      case 'INVITE':
        return this.onInvite(m, now);
      case 'ACK': {
        const dialog = this.dialogs.get(m.callId);
        if (dialog && !dialog.acked) {
          dialog.acked = true;
          dialog.generation++;
        }
        return;
      }
      case 'BYE':
        this.drop(m.callId);
        return this.reply(m, '200 OK', m.to);
      case 'OPTIONS':
        return this.reply(m, '200 OK', m.toTag ? m.to : `${m.to};tag=${this.ctx.ids.tag()}`);
      case 'CANCEL':
        // Our callees answer at once: a CANCEL finds the INVITE already answered (§9.2).
        return this.reply(m, '200 OK', m.to);
      default:
        return this.reply(m, '501 Not Implemented', m.toTag ? m.to : `${m.to};tag=${this.ctx.ids.tag()}`);
    }
  }

  onDialogTimer(dialog: CalleeDialog, kind: number, now: number): void {
    if (kind === Timer.Retransmit) {
      this.link.send(dialog.answer);
      this.ctx.stats.counters.retransmissions++;
      dialog.interval = Math.min(dialog.interval * 2, T2);
      this.ctx.wheel.schedule(dialog, Timer.Retransmit, now + dialog.interval);
    } else if (kind === Timer.Timeout) {
      // Timer H: no ACK for our 200 within 64·T1. The caller side will report the call.
      this.ctx.stats.counters.timeouts++;
      this.drop(dialog.callId);
    }
  }

  private onInvite(m: ScannedMessage, now: number): void {
    const known = this.dialogs.get(m.callId);
    if (known) {
      // A retransmitted INVITE: answer it again with the same 200 (§13.3.1.4).
      this.link.send(known.answer);
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
    this.link.send(this.templates.ringing.render(values));
    values.status = '200 OK';
    const dialog = new CalleeDialog(this, m.callId, this.templates.answer.render(values));
    this.dialogs.set(m.callId, dialog);
    this.link.send(dialog.answer);
    this.ctx.stats.counters.answered++;
    this.ctx.wheel.schedule(dialog, Timer.Retransmit, now + T1);
    this.ctx.wheel.schedule(dialog, Timer.Timeout, now + 64 * T1);
  }

  private drop(callId: string): void {
    const dialog = this.dialogs.get(callId);
    if (!dialog) return;
    dialog.generation++;
    this.dialogs.delete(callId);
  }

  private reply(m: ScannedMessage, status: string, to: string): void {
    this.link.send(
      this.templates.plain.render({ status, vias: m.viaLines, from: m.fromLine, to, call_id: m.callIdLine, cseq: m.cseqLine, record_route: '', contact_user: '' }),
    );
  }
}

/** `u0002` from `<sip:u0002@lab.test>`. */
function userOf(nameAddr: string): string {
  const start = nameAddr.indexOf('sip:');
  const at = nameAddr.indexOf('@', start);
  return start < 0 || at < 0 ? 'callee' : nameAddr.slice(start + 4, at);
}
