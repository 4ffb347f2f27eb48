import type { CallSession } from '../sip/ua/call-session.js';
import type { Call } from './call.js';

/** A hold, unhold or DTMF request that could not be carried out on this call. */
export class CallMediaError extends Error {
  override name = 'CallMediaError';
  constructor(
    readonly callId: string,
    readonly action: 'hold' | 'unhold' | 'dtmf',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The SIP session of each call, for an attended transfer that names another call. */
const sessions = new WeakMap<Call, CallSession>();

/**
 * Wires `call.setHold`, `call.renegotiate`, `call.sendDtmf` and `call.sendInfo` to the SIP session, for either side of the call.
 *
 * Hold is a re-INVITE whose offer says a=sendonly (the session description handler reads
 * `{ hold: true }`); the peer answers a=recvonly and stops sending (RFC 3264 §8.4). Unhold is a
 * re-INVITE with a=sendrecv. The options stay on the session, so a re-INVITE the peer sends
 * while we hold is answered as still holding.
 */
export function wireMediaControl(call: Call, session: CallSession): void {
  sessions.set(call, session);
  call.setHold = (hold) => reinvite(call, session, hold);
  call.transfer = async (target, content) => {
    if (session.state !== 'established') throw new Error(`cannot transfer: call ${call.callId} is ${call.state}, not connected`);
    if (typeof target === 'string') return session.transfer(target, content);
    const replaced = sessions.get(target);
    if (replaced?.state !== 'established') throw new Error(`cannot transfer to the far end of call ${target.callId}: it is ${target.state}, not connected`);
    return session.transfer(replaced, content);
  };
  call.renegotiate = async (method, offer) => {
    if (session.state !== 'established') throw new Error(`cannot send ${method === 'INVITE' ? 're-INVITE' : 'UPDATE'}: call ${call.callId} is ${call.state}, not connected`);
    return session.renegotiate(method, offer);
  };
  call.sendInfo = async (content) => {
    if (session.state !== 'established') throw new Error(`cannot send INFO: call ${call.callId} is ${call.state}, not connected`);
    return session.info(content);
  };
  call.sendDtmf = async (digits) => {
    const sdh = session.mediaHandler;
    if (session.state !== 'established' || !sdh) {
      throw new CallMediaError(call.callId, 'dtmf', `cannot send DTMF "${digits}": call ${call.callId} is ${call.state}, not connected`);
    }
    let queued: boolean;
    try {
      queued = sdh.sendDtmf(digits);
    } catch (error) {
      throw new CallMediaError(call.callId, 'dtmf', `cannot send DTMF "${digits}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (!queued) {
      throw new CallMediaError(call.callId, 'dtmf', `cannot send DTMF "${digits}" on call ${call.callId}: telephone-event was not negotiated, media is off, or the call is on hold`);
    }
    await sdh.whenDtmfSent?.();
  };
}

function reinvite(call: Call, session: CallSession, hold: boolean): Promise<void> {
  const action = hold ? 'hold' : 'unhold';
  if (session.state !== 'established') {
    return Promise.reject(new CallMediaError(call.callId, action, `cannot ${action} call ${call.callId}: it is ${call.state}, not connected`));
  }
  return new Promise<void>((resolve, reject) => {
    session
      .reinvite(
        { hold },
        {
          onAccept: () => resolve(),
          onReject: (response) => {
            reject(new CallMediaError(call.callId, action, `re-INVITE to ${action} call ${call.callId} was answered ${response.status} ${response.reason}`));
          },
        },
      )
      .catch((error: unknown) => reject(new CallMediaError(call.callId, action, `re-INVITE to ${action} call ${call.callId} could not be sent: ${error instanceof Error ? error.message : String(error)}`, { cause: error })));
  });
}
