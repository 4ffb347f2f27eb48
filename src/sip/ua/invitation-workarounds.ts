import { SessionState, type Invitation } from 'sip.js';

/**
 * RFC 3261 §13.3.1.4: a 2xx never ACKed within 64·T1 ends the session with a BYE. sip.js 0.21
 * does that from a timer and throws there (an uncaught exception: the process dies) when the
 * session has ended already, e.g. the caller's BYE overtook its lost ACK. Then nothing is left to end.
 */
export function ignoreAckTimeoutAfterEnd(invitation: Invitation): void {
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
 * which tells the caller to try again later; this makes the errors `isUnacceptableOffer`
 * recognises (the media layer's SDP errors) a 488. `beforeReject` runs just before the 488 is sent.
 */
export function rejectUnacceptableOfferWith488(
  invitation: Invitation,
  isUnacceptableOffer: (error: unknown) => boolean,
  beforeReject: (error: Error) => void,
): void {
  const session = invitation as unknown as {
    handleResponseError(error: unknown): void;
    incomingInviteRequest: { reject(options: { statusCode: number; reasonPhrase: string }): void };
    stateTransition(state: SessionState): void;
  };
  const handleResponseError = session.handleResponseError.bind(invitation);
  session.handleResponseError = (error: unknown) => {
    const early = invitation.state === SessionState.Initial || invitation.state === SessionState.Establishing;
    if (!early || !isUnacceptableOffer(error)) return handleResponseError(error);
    beforeReject(error as Error);
    session.incomingInviteRequest.reject({ statusCode: 488, reasonPhrase: NOT_ACCEPTABLE_HERE });
    session.stateTransition(SessionState.Terminated);
  };
}

export const NOT_ACCEPTABLE_HERE = 'Not Acceptable Here';
