import { Core, SessionState, type Session } from 'sip.js';
import { AllowedMethods } from 'sip.js/lib/core/user-agent-core/allowed-methods.js';
import type { ResponseLine } from './response-line.js';
import type { SessionDescriptionHandler, SessionDescriptionHandlerOptions } from './session-description-handler.js';

/**
 * UPDATE (RFC 3311) inside a confirmed INVITE dialog, which sip.js 0.21 leaves out: its session
 * dialog has no `update()`, answers an incoming UPDATE 501, and its core refuses the method 405
 * before a dialog sees it (UPDATE is not in `AllowedMethods`). Here:
 *
 * - sending: the offer from the call's session description handler, in an UPDATE the dialog
 *   builds (Route set, CSeq, tags) and a plain non-INVITE client transaction carries; a 2xx's
 *   answer is applied, anything else rolls the offer back (RFC 3311 §5.1).
 * - receiving: the dialog's UPDATE reaches `answerUpdates`, which answers 200 with an SDP answer,
 *   488 if the offer is not acceptable, 491 while an offer of ours is pending (RFC 3311 §5.2).
 *
 * Adding UPDATE to `AllowedMethods` also lists it in the Allow of sip.js's responses (the 200
 * to an INVITE); its Inviter writes a fixed list, which `advertiseUpdate` extends.
 */
if (!AllowedMethods.includes(Core.C.UPDATE)) AllowedMethods.push(Core.C.UPDATE);

const SDP = 'application/sdp';

/** Adds UPDATE to the Allow line among an INVITE's extra headers: a peer may send UPDATE only to a UA that lists it (RFC 3311 §5.1). */
export function advertiseUpdate(extraHeaders: string[]): void {
  const index = extraHeaders.findIndex((line) => /^Allow\s*:/i.test(line));
  const line = extraHeaders[index];
  if (line !== undefined && !/\bUPDATE\b/i.test(line)) extraHeaders[index] = `${line},UPDATE`;
}

/** A final response to a re-INVITE or UPDATE we sent, with the SDP answer it carried. */
export interface OfferResult extends ResponseLine {
  answer?: string;
}

interface IncomingMessage {
  method: string;
  body: string;
  getHeader(name: string): string | undefined;
}

/** The dialog's Contact for our side: sip.js keeps it on the session (`_contact`, not public). */
function contactOf(session: Session): string {
  return (session as unknown as { _contact: string })._contact;
}

function handlerOf(session: Session): SessionDescriptionHandler | undefined {
  return session.sessionDescriptionHandler as unknown as SessionDescriptionHandler | undefined;
}

/** Offers made by UPDATE and still unanswered, per session: a crossing UPDATE gets 491. */
const pendingOffers = new WeakSet<Session>();

/** Sends UPDATE with a new offer made with `options`; resolves with its final response. */
export async function sendUpdate(session: Session, options: SessionDescriptionHandlerOptions, extraHeaders: string[] = []): Promise<OfferResult> {
  const dialog = session.dialog as Core.SessionDialog | undefined;
  const sdh = handlerOf(session);
  if (session.state !== SessionState.Established || !dialog || !sdh) throw new Error('UPDATE needs a confirmed dialog with media');
  if (dialog.signalingState !== Core.SignalingState.Stable || pendingOffers.has(session)) throw new Error('an offer is already pending on this dialog (RFC 3311 §5.1)');
  const offer = await sdh.getDescription(options);
  // Later offers and answers of this side (a peer's re-INVITE) keep the same options, as after a re-INVITE.
  session.sessionDescriptionHandlerOptionsReInvite = options as object;
  const message = dialog.createOutgoingRequestMessage(Core.C.UPDATE, {
    extraHeaders: [`Contact: ${contactOf(session)}`, ...extraHeaders],
    body: { contentDisposition: 'session', contentType: offer.contentType, content: offer.body },
  });
  pendingOffers.add(session);
  return new Promise<OfferResult>((resolve, reject) => {
    const settle = async (response: Core.IncomingResponse, accepted: boolean) => {
      pendingOffers.delete(session);
      const line = { status: response.message.statusCode ?? 0, reason: response.message.reasonPhrase ?? '' };
      const answer = response.message.body;
      if (accepted && answer) {
        await sdh.setDescription(answer, options);
        resolve({ ...line, answer });
        return;
      }
      await sdh.rollbackDescription?.();
      resolve(line);
    };
    const fail = (error: unknown) => reject(error instanceof Error ? error : new Error(String(error)));
    new Core.UserAgentClient(Core.NonInviteClientTransaction, dialog.userAgentCore, message, {
      onAccept: (response) => settle(response, true).catch(fail),
      // A timeout or transport error comes here too, as sip.js's internal 408 or 503.
      onReject: (response) => settle(response, false).catch(fail),
    });
  });
}

/** From the moment `session` is confirmed, answers UPDATEs in its dialog (see the module comment). */
export function answerUpdates(session: Session): void {
  session.stateChange.addListener((state) => {
    const dialog = session.dialog as Core.SessionDialog | undefined;
    if (state !== SessionState.Established || !dialog) return;
    const receive = dialog.receiveRequest.bind(dialog);
    dialog.receiveRequest = (message: Core.IncomingRequestMessage) => {
      if (message.method !== Core.C.UPDATE) return receive(message);
      // The base class keeps the remote CSeq (RFC 3261 §12.2.2); SessionDialog's own switch would answer 501.
      Core.Dialog.prototype.receiveRequest.call(dialog, message);
      const uas = new Core.UserAgentServer(Core.NonInviteServerTransaction, dialog.userAgentCore, message);
      void answerUpdate(session, dialog, uas, message as unknown as IncomingMessage);
    };
  });
}

async function answerUpdate(session: Session, dialog: Core.SessionDialog, uas: Core.UserAgentServer, message: IncomingMessage): Promise<void> {
  const contact = `Contact: ${contactOf(session)}`;
  const sdh = handlerOf(session);
  const offer = message.body;
  // An UPDATE without a body refreshes the dialog (a session timer, RFC 4028) and changes no media.
  if (!offer) {
    uas.accept({ statusCode: 200, extraHeaders: [contact] });
    return;
  }
  // RFC 3311 §5.2: an offer while ours is outstanding (an UPDATE or a re-INVITE) is refused 491.
  if (pendingOffers.has(session) || dialog.signalingState !== Core.SignalingState.Stable) {
    uas.reject({ statusCode: 491 });
    return;
  }
  const contentType = message.getHeader('Content-Type') ?? '';
  if (!sdh || !sdh.hasDescription(contentType)) {
    uas.reject({ statusCode: 415, extraHeaders: [`Accept: ${SDP}`] });
    return;
  }
  const options = session.sessionDescriptionHandlerOptionsReInvite as SessionDescriptionHandlerOptions;
  try {
    await sdh.setDescription(offer, options);
    const answer = await sdh.getDescription(options);
    uas.accept({ statusCode: 200, extraHeaders: [contact], body: { contentDisposition: 'session', contentType: answer.contentType, content: answer.body } });
  } catch (error) {
    await sdh.rollbackDescription?.();
    // RFC 3311 §5.2: an offer the UAS cannot accept gets 488, with a Warning (RFC 3261 §20.43).
    uas.reject({ statusCode: 488, extraHeaders: [`Warning: 399 sipbots "${error instanceof Error ? error.message.replace(/["\\\r\n]/g, ' ') : 'offer not acceptable'}"`] });
  }
}
