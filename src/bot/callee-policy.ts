import { SessionState, type Invitation } from 'sip.js';
import { SdpError } from '../media/sdp.js';
import type { Logger } from '../util/logger.js';
import type { CalleeBehaviour } from '../config/behaviour.js';
import type { Call } from './call.js';

export interface IncomingCallContext {
  invitation: Invitation;
  call: Call;
  behaviour: CalleeBehaviour;
  /** Already in another call (or placing one: a self-call) and configured to be busy then. */
  busy: boolean;
  logger: Logger;
}

const REASONS: Readonly<Record<number, string>> = {
  408: 'Request Timeout',
  480: 'Temporarily Unavailable',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  600: 'Busy Everywhere',
  603: 'Decline',
};

/**
 * Plays the callee side of an incoming INVITE as the bot's behaviour says, the way a
 * softphone with a scripted user would: busy → 486 at once (no ringing); otherwise 180
 * Ringing, then after `ringFor` answer, reject or time out (408) — or ring until cancelled.
 */
export function answerIncomingCall(context: IncomingCallContext): void {
  const { invitation, call, behaviour, logger } = context;
  const fail = (error: unknown) => logger.warn({ err: error, callId: call.callId }, 'answering an incoming call failed');
  ignoreAckTimeoutAfterEnd(invitation);
  rejectUnacceptableOfferWith488(invitation, call);

  invitation.stateChange.addListener((state) => {
    if (state === SessionState.Established) {
      call.transition('confirmed', '200 OK');
      if (behaviour.hangupAfterMs !== undefined) call.after(behaviour.hangupAfterMs, call.hangup);
    } else if (state === SessionState.Terminated) {
      call.endedBy ??= 'remote';
      if (call.finalStatus === undefined && call.state !== 'confirmed' && call.state !== 'terminating') {
        // Ended before we answered: the caller or the proxy CANCELled; sip.js answered 487.
        call.finalStatus = 487;
        call.finalReason = 'CANCEL';
      }
      call.transition('terminated', call.finalReason);
    }
  });
  call.hangup = async () => {
    if (invitation.state === SessionState.Established) {
      call.endedBy ??= 'local';
      call.transition('terminating', 'BYE');
      await invitation.bye();
    } else if (invitation.state === SessionState.Initial || invitation.state === SessionState.Establishing) {
      call.endedBy ??= 'local';
      await reject(480);
    }
  };

  const reject = async (status: number) => {
    call.finalStatus = status;
    call.finalReason = `${status} ${REASONS[status] ?? 'Rejected'}`;
    await invitation.reject({ statusCode: status, reasonPhrase: REASONS[status] });
  };

  if (context.busy) {
    call.transition('ringing', 'INVITE while busy');
    reject(486).catch(fail);
    return;
  }
  call.transition('ringing', 'INVITE');
  invitation
    .progress()
    .then(() => {
      switch (behaviour.onInvite) {
        case 'ring':
          return;
        case 'answer':
          call.after(behaviour.ringForMs, () => {
            call.finalStatus = 200;
            call.finalReason = '200 OK';
            return invitation.accept().catch(fail);
          });
          return;
        case 'reject':
          call.after(behaviour.ringForMs, () => reject(behaviour.rejectWith).catch(fail));
          return;
        case 'timeout':
          call.after(behaviour.ringForMs, () => reject(408).catch(fail));
          return;
      }
    })
    .catch(fail);
}

/**
 * RFC 3261 §13.3.1.4: a 2xx never ACKed within 64·T1 ends the session with a BYE. sip.js 0.21
 * does that from a timer and throws there (an uncaught exception: the process dies) when the
 * session has ended already, e.g. the caller's BYE overtook its lost ACK. Then nothing is left to end.
 */
function ignoreAckTimeoutAfterEnd(invitation: Invitation): void {
  const session = invitation as unknown as { onAckTimeout(): void };
  const onAckTimeout = session.onAckTimeout.bind(invitation);
  session.onAckTimeout = () => {
    if (invitation.state !== SessionState.Terminated) onAckTimeout();
  };
}

/**
 * RFC 3261 §13.3.1.3 and RFC 3264 §6: a UAS that cannot answer the offer (no common codec, an
 * SDP it cannot read, a kind of media it does not do) answers 488 Not Acceptable Here. sip.js
 * answers every failure of the session description handler with 480 Temporarily Unavailable,
 * which tells the caller to try again later; this makes the media layer's SDP errors a 488.
 */
function rejectUnacceptableOfferWith488(invitation: Invitation, call: Call): void {
  const session = invitation as unknown as {
    handleResponseError(error: unknown): void;
    incomingInviteRequest: { reject(options: { statusCode: number; reasonPhrase: string }): void };
    stateTransition(state: SessionState): void;
  };
  const handleResponseError = session.handleResponseError.bind(invitation);
  session.handleResponseError = (error: unknown) => {
    const early = invitation.state === SessionState.Initial || invitation.state === SessionState.Establishing;
    if (!early || !isSdpError(error)) return handleResponseError(error);
    call.finalStatus = 488;
    call.finalReason = `488 ${REASONS[488]} (${(error as Error).message})`;
    session.incomingInviteRequest.reject({ statusCode: 488, reasonPhrase: REASONS[488]! });
    session.stateTransition(SessionState.Terminated);
  };
}

/** The error or one of its causes came from the SDP offer/answer. */
function isSdpError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e instanceof SdpError) return true;
  return false;
}
