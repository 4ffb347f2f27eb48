import { SdpError } from '../media/sdp.js';
import type { IncomingCall } from '../sip/ua/incoming-call.js';
import type { Logger } from '../util/logger.js';
import type { CalleeBehaviour } from '../config/behaviour.js';
import type { Call } from './call.js';

export interface IncomingCallContext {
  incoming: IncomingCall;
  call: Call;
  behaviour: CalleeBehaviour;
  /** Already in another call (or placing one: a self-call) and configured to be busy then. */
  busy: boolean;
  logger: Logger;
}

const REASONS: Readonly<Record<number, string>> = {
  408: 'Request Timeout',
  421: 'Extension Required',
  480: 'Temporarily Unavailable',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  600: 'Busy Everywhere',
  603: 'Decline',
};

/**
 * Plays the callee side of an incoming INVITE as the bot's behaviour says, the way a
 * softphone with a scripted user would: busy → 486 at once (no ringing); reliable provisionals
 * required and not supported by the INVITE → 421 at once (RFC 3262 §3); otherwise 180 Ringing
 * (or 183 with SDP and the tone for `earlyMedia`), reliably with `rel100`, then after `ringFor`
 * (or `earlyMedia`) answer, reject or time out (408) — or ring until cancelled.
 */
export function answerIncomingCall(context: IncomingCallContext): void {
  const { incoming, call, behaviour, logger } = context;
  const fail = (error: unknown) => logger.warn({ err: error, callId: call.callId }, 'answering an incoming call failed');
  // The user agent answers an offer the media layer cannot take with 488 (RFC 3264 §6) itself.
  incoming.onUnacceptableOffer(({ status, reason, error }) => {
    call.finalStatus = status;
    call.finalReason = `${status} ${reason} (${error.message})`;
  });

  incoming.onStateChange((state) => {
    if (state === 'established') {
      call.transition('confirmed', '200 OK');
      if (behaviour.hangupAfterMs !== undefined) call.after(behaviour.hangupAfterMs, call.hangup);
    } else if (state === 'terminated') {
      call.endedBy ??= 'remote';
      if (call.finalStatus === undefined && call.state !== 'confirmed' && call.state !== 'terminating') {
        // Ended before we answered: the caller or the proxy CANCELled and the user agent answered
        // 487, or it gave up on its own (504: no PRACK for our reliable 18x).
        const status = incoming.rejectedWith;
        call.finalStatus = status ?? 487;
        call.finalReason = status === 504 ? '504 Server Time-out (no PRACK for the reliable provisional within 64·T1, RFC 3262 §3)' : 'CANCEL';
      }
      call.transition('terminated', call.finalReason);
    }
  });
  call.hangup = async () => {
    if (incoming.state === 'established') {
      call.endedBy ??= 'local';
      call.transition('terminating', 'BYE');
      await incoming.bye();
    } else if (incoming.state === 'initial' || incoming.state === 'establishing') {
      call.endedBy ??= 'local';
      await reject(480);
    }
  };

  const reject = async (status: number, headers?: string[]) => {
    call.finalStatus = status;
    call.finalReason = `${status} ${REASONS[status] ?? 'Rejected'}`;
    await incoming.reject(status, REASONS[status], headers);
  };

  if (context.busy) {
    call.transition('ringing', 'INVITE while busy');
    reject(486).catch(fail);
    return;
  }
  if (behaviour.rel100 === 'required' && !incoming.offers100rel) {
    // RFC 3262 §4 / RFC 3261 §21.4.16: the caller must retry with 100rel in Supported.
    call.transition('ringing', 'INVITE without 100rel');
    reject(421, ['Require: 100rel']).catch(fail);
    return;
  }
  call.transition('ringing', 'INVITE');
  const earlyMedia = behaviour.earlyMediaMs !== undefined;
  const untilActionMs = behaviour.earlyMediaMs ?? behaviour.ringForMs;
  incoming
    .progress({ earlyMedia, reliable: behaviour.rel100 !== undefined })
    .then(() => {
      switch (behaviour.onInvite) {
        case 'ring':
          return;
        case 'answer':
          call.after(untilActionMs, () => {
            call.finalStatus = 200;
            call.finalReason = '200 OK';
            return incoming.accept().catch(fail);
          });
          return;
        case 'reject':
          call.after(untilActionMs, () => reject(behaviour.rejectWith).catch(fail));
          return;
        case 'timeout':
          call.after(untilActionMs, () => reject(408).catch(fail));
          return;
      }
    })
    .catch(fail);
}

/**
 * The error or one of its causes came from the SDP offer/answer: the offer cannot be answered,
 * which the user agent answers with 488 Not Acceptable Here rather than 480.
 */
export function isSdpError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e instanceof SdpError) return true;
  return false;
}
