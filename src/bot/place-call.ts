import type { EventStream } from '../events/event-stream.js';
import type { FindingEvent } from '../events/types.js';
import type { LateAnswer } from '../sip/ua/late-answer.js';
import { DEFAULT_TIMERS, timerPolicy, type SipTimerValues } from '../sip/transaction/timer-policy.js';
import type { OutgoingCall } from '../sip/ua/outgoing-call.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { Call } from './call.js';
import { wireMediaControl } from './call-media-control.js';
import { failoverFinding, failoverReason } from './failover.js';

/** What placing a call needs of its bot. */
export interface CallPlacer {
  name: string;
  events: EventStream;
  clock: Clock;
  logger: Logger;
  timers: Partial<SipTimerValues> | undefined;
  /** Follows REFERs the peer sends on the call. */
  takeTransfers: (session: OutgoingCall) => void;
  /** Why the transport last failed to send, since the last `clearSendError()`. */
  lastSendError: () => unknown;
  clearSendError: () => void;
  /** RFC 3263 §4.3: moves to the next server target; false when there is none (or the server was not located). */
  nextServerTarget: (reason: string) => boolean;
  /** Where requests go now, for the record. */
  serverTarget: () => string;
  /** REGISTERs at the target moved to: the binding at the failed one is worthless. */
  registerAtCurrentTarget: () => Promise<void>;
}

export interface PlaceCallOptions {
  cancelAfter?: number | undefined;
  hangupAfter?: number | undefined;
}

/**
 * The caller's side of one call: its state machine driven by the INVITE's responses, hang-up as
 * CANCEL or BYE, and RFC 3263 §4.3 failover. When the INVITE fails at the current server target
 * (see `failoverReason`, failover.ts) and `again` can send it anew, the bot moves to the next target,
 * registers there and sends the same call again (same Call-ID, next CSeq, new branch), as often
 * as there are targets; the Call stays one call in `calling` throughout, and a finding (in the
 * case's findings and messages.jsonl) says what failed and where the INVITE goes next.
 */
export function placeCall(bot: CallPlacer, first: OutgoingCall, target: string, options: PlaceCallOptions, again?: (failed: OutgoingCall) => OutgoingCall): Call {
  const call = new Call(bot.name, 'caller', first.callId, bot.events, bot.clock);
  call.remoteUri = target;
  let outgoing = first;
  /** Between a failed INVITE and the one sent again: registering at the next target. */
  let failingOver = false;
  call.hangup = async () => {
    if (failingOver) {
      call.endedBy ??= 'local';
      call.transition('terminated', 'hung up while failing over to the next server target');
    } else if (outgoing.state === 'establishing') {
      call.endedBy ??= 'local';
      call.transition('terminating', 'CANCEL');
      // RFC 3261 §9.1: with no final response 64·T1 after the CANCEL, the INVITE has timed out.
      call.after(timerPolicy('unreliable', { ...DEFAULT_TIMERS, ...bot.timers }).transactionTimeout, () => {
        call.finalReason ??= 'no final response to the INVITE after CANCEL';
        call.transition('terminated', call.finalReason);
        void outgoing.dispose();
      });
      await outgoing.cancel();
    } else if (outgoing.state === 'established') {
      call.endedBy ??= 'local';
      call.transition('terminating', 'BYE');
      await outgoing.bye();
    }
  };
  const ended = () => {
    call.endedBy ??= 'remote';
    call.transition('terminated', call.finalReason);
  };
  const failOver = (failed: OutgoingCall, from: string, reason: string): void => {
    failingOver = true;
    // Its offer's media never ran: the retry's statistics are the call's (same Call-ID).
    failed.mediaHandler?.discardStats?.();
    bot.events.emit({
      type: 'finding',
      at: bot.clock.now(),
      party: bot.name,
      callId: call.callId,
      message: failoverFinding('INVITE', from, reason, bot.serverTarget()),
    });
    bot
      .registerAtCurrentTarget()
      .then(() => {
        failingOver = false;
        if (call.state === 'calling') send(again!(failed));
      })
      .catch((error: unknown) => {
        failingOver = false;
        bot.logger.warn({ err: error, callId: call.callId }, 'registering at the next server target failed');
        call.finalReason = `${call.finalReason ?? 'INVITE failed'}; then registering at the next server target failed: ${error instanceof Error ? error.message : String(error)}`;
        ended();
      });
  };
  const send = (attempt: OutgoingCall): void => {
    outgoing = attempt;
    wireMediaControl(call, attempt);
    bot.takeTransfers(attempt);
    let provisional = false;
    let failover: string | undefined;
    attempt.onStateChange((state) => {
      if (state === 'established') {
        call.transition('confirmed', '200 OK');
        if (options.hangupAfter !== undefined) call.after(options.hangupAfter, call.hangup);
      } else if (state === 'terminated') {
        // sip.js ends the session just before onReject says why: a call that may still fail over
        // (nothing heard from the server) waits for that verdict, in the same turn.
        if (call.state === 'calling' && !provisional && again) queueMicrotask(() => failover === undefined && ended());
        else ended();
      }
    });
    bot.clearSendError();
    attempt
      .invite({
        onTrying: () => (provisional = true),
        onProgress: (response) => {
          provisional = true;
          if (response.bent) bot.events.emit({ type: 'finding', at: bot.clock.now(), party: bot.name, callId: call.callId, message: response.bent });
          if (call.state === 'calling' || call.state === 'early') call.transition(response.status === 183 ? 'early' : 'ringing', `${response.status} ${response.reason}`);
        },
        onAccept: (response) => {
          call.finalStatus = response.status;
          call.finalReason = `${response.status} ${response.reason}`;
        },
        onReject: (response) => {
          call.finalStatus = response.status;
          call.finalReason = `${response.status} ${response.reason}`;
          if (call.state !== 'calling' || !again) return;
          const reason = failoverReason({ ...response, provisional, sendError: bot.lastSendError() });
          const from = bot.serverTarget();
          if (reason === undefined || !bot.nextServerTarget(reason)) return;
          failover = reason;
          failOver(attempt, from, reason);
        },
      })
      .catch((error: unknown) => {
        bot.logger.warn({ err: error, callId: call.callId }, 'INVITE could not be sent');
        call.finalReason = error instanceof Error ? error.message : String(error);
        call.transition('terminated', call.finalReason);
      });
  };
  call.transition('calling', 'INVITE');
  if (options.cancelAfter !== undefined) {
    call.after(options.cancelAfter, () => (call.state === 'confirmed' ? undefined : call.hangup()));
  }
  send(first);
  return call;
}

/** A 2xx that came after the INVITE had failed, which the transport ACKed and ended with BYE (late-answer.ts). */
export function lateAnswerFinding(party: string, at: number, late: LateAnswer): FindingEvent {
  const message = `${late.answer} came after the call had ended with ${late.after} (the callee answered as the INVITE ended): ACKed and hung up with BYE (RFC 3261 §13.2.2.4)`;
  return { type: 'finding', at, party, callId: late.callId, message };
}
