import type { Inviter } from 'sip.js';
import type { ResponseLine } from './response-line.js';

/** A provisional response sip.js would have dropped, taken anyway, with what it broke. */
export interface LenientProvisional extends ResponseLine {
  /** The rule the response broke, in plain words with its RFC section. */
  bent: string;
}

interface SipJsResponseMessage {
  statusCode?: number;
  reasonPhrase?: string;
  toTag?: string;
  hasHeader(name: string): boolean;
}

interface SipJsInviteClient {
  receiveResponse(message: SipJsResponseMessage): void;
}

/**
 * Liberal in what we accept: sip.js drops a 101-199 to an INVITE that has no Contact (RFC 3261
 * §12.1.1 says a UAS MUST add one to a dialog-creating response) or no To tag (then it creates no
 * early dialog). linphone sends its 180 Ringing without a Contact. The callee is ringing all the
 * same: an early dialog without a remote target still rings, we just could not send a request
 * inside it (we never do before the 2xx). Such a response goes to `onProvisional`, with what it
 * broke, instead of into sip.js, which would log an error and forget it.
 *
 * Must be installed as soon as `Inviter.invite()` resolves: the INVITE has gone out then, and
 * no response can be read before the next turn of the event loop.
 */
export function acceptProvisionalWithoutContact(inviter: Inviter, onProvisional: (response: LenientProvisional) => void): void {
  const client = (inviter as unknown as { outgoingInviteRequest?: SipJsInviteClient }).outgoingInviteRequest;
  if (!client) return;
  const receiveResponse = client.receiveResponse.bind(client);
  client.receiveResponse = (message) => {
    const status = message.statusCode ?? 0;
    const bent = status > 100 && status < 200 ? brokenRule(message) : undefined;
    if (bent === undefined) return receiveResponse(message);
    onProvisional({ status, reason: message.reasonPhrase ?? '', bent });
  };
}

function brokenRule(message: SipJsResponseMessage): string | undefined {
  if (!message.toTag) return `${message.statusCode} without a To tag (RFC 3261 §12.1: no early dialog); taken as progress`;
  if (!message.hasHeader('contact')) return `${message.statusCode} without a Contact (RFC 3261 §12.1.1 requires one); taken as ringing`;
  return undefined;
}
