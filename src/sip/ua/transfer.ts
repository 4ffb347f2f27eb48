import { UserAgent, type Inviter, type Notification, type Referral, type Session } from 'sip.js';
import { extraHeaderLines, type RequestContent } from './request-content.js';
import { responseLineOf, type ResponseLine, type SipJsResponse } from './response-line.js';

/** A REFER the peer sent on a call (RFC 3515): where it wants us to call. */
export interface IncomingTransfer<Call> {
  /** The Refer-To URI, its header parameters dropped. */
  target: string;
  referredBy: string | undefined;
  /**
   * 202 Accepted, then NOTIFY `SIP/2.0 100 Trying` (RFC 3515 §2.4.4: the REFER's implicit
   * subscription reports at once), and the new call to the target, not yet sent. Its
   * provisional and final responses follow as NOTIFYs (message/sipfrag), the final one ending
   * the subscription.
   */
  accept(): Promise<Call>;
  reject(status: number, reason: string): Promise<void>;
}

/** How a blind transfer we asked for ended: the REFER's refusal, or the transferee's final sipfrag. */
export interface TransferResult extends ResponseLine {
  /** `refer`: the REFER itself was refused; `sipfrag`: the status the transferee's NOTIFY reported. */
  from: 'refer' | 'sipfrag';
}

/** Hands each REFER on `session` to `listener`; `callOf` wraps the Inviter sip.js makes for the target. */
export function listenForTransfers<Call>(session: Session, listener: (transfer: IncomingTransfer<Call>) => void, callOf: (inviter: Inviter) => Call): void {
  session.delegate = {
    ...session.delegate,
    onRefer: (referral: Referral) => {
      listener({
        target: referral.referTo.uri.toString().replace(/\?.*$/, ''),
        referredBy: referral.referredBy,
        accept: async () => {
          await referral.accept();
          notifySipfrag(session, 100, 'Trying');
          const inviter = referral.makeInviter();
          // sip.js's own NOTIFYs say Subscription-State: terminated for a 100 and a 180 too;
          // RFC 6665 §4.2.2: the subscription stays active until the final status is reported.
          (inviter as unknown as { notifyReferer(response: SipJsResponse): void }).notifyReferer = (response) => {
            const { status, reason } = responseLineOf(response);
            if (status > 100) notifySipfrag(session, status, reason);
          };
          return callOf(inviter);
        },
        reject: (status, reason) => referral.reject({ statusCode: status, reasonPhrase: reason }),
      });
    },
  };
}

/**
 * Transfer (RFC 3515, RFC 5589): REFER in the call's dialog with Refer-To `target` (blind,
 * §6), or with Replaces naming the `target` session's dialog (attended, §7), then NOTIFYs
 * carrying message/sipfrag; resolves with the first final status one of them reports (or the
 * REFER's refusal). Each NOTIFY is answered 200.
 */
export function sendTransfer(session: Session, target: string | Session, content: RequestContent): Promise<TransferResult> {
  let referTo: string;
  if (typeof target === 'string') {
    const uri = UserAgent.makeURI(target);
    if (!uri) return Promise.reject(new Error(`${JSON.stringify(target)} is not a SIP URI (hint: sip:carol@lab.test)`));
    referTo = uri.toString();
  } else {
    referTo = replacingReferTo(target);
  }
  // sip.js's Session.refer(session) would name the target's Contact; an AOR routes through any proxy.
  const internals = session as unknown as {
    referExtraHeaders(referTo: string): string[];
    _refer(onNotify: (notification: Notification) => void, delegate: object, options: { extraHeaders: string[] }): Promise<unknown>;
  };
  return new Promise((resolve, reject) => {
    const onNotify = (notification: Notification) => {
      notification.accept();
      const line = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/m.exec(notification.request.body);
      if (line && Number(line[1]) >= 200) resolve({ from: 'sipfrag', status: Number(line[1]), reason: line[2]!.trim() });
    };
    internals
      ._refer(onNotify, { onReject: (response: SipJsResponse) => resolve({ from: 'refer', ...responseLineOf(response) }) }, {
        extraHeaders: [...extraHeaderLines(content.headers), ...internals.referExtraHeaders(referTo)],
      })
      .catch(reject);
  });
}

/**
 * `<sip:carol@lab.test?Replaces=call-id%3Bto-tag%3D…%3Bfrom-tag%3D…>` (RFC 3891 §6.1, RFC 5589
 * §7.1): the replaced session's remote party, and its dialog as the far end knows it (to-tag
 * the far end's tag, from-tag ours), escaped as a URI header.
 */
export function replacingReferTo(replaced: Session): string {
  const dialog = replaced.dialog;
  if (!dialog) throw new Error('the call to replace has no dialog (it must be answered)');
  const replaces = `${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`;
  return `<${replaced.remoteIdentity.uri.toString()}?Replaces=${encodeURIComponent(replaces)}>`;
}

/** NOTIFY of the REFER's implicit subscription (RFC 3515 §2.4.4): the INVITE's progress as message/sipfrag. */
function notifySipfrag(session: Session, status: number, reason: string): void {
  const dialog = (session as unknown as { dialog?: { notify(delegate: undefined, options: object): unknown } }).dialog;
  const state = status >= 200 ? 'terminated;reason=noresource' : 'active;expires=60';
  dialog?.notify(undefined, {
    extraHeaders: ['Event: refer', `Subscription-State: ${state}`],
    body: { contentDisposition: 'render', contentType: 'message/sipfrag', content: `SIP/2.0 ${status} ${reason}`.trim() },
  });
}
