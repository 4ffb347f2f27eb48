import type { SipMessageEvent } from '../events/types.js';

/**
 * Picks one leg's messages out of a bot's traffic and writes them as flow tokens.
 *
 * A bot's messages for one Call-ID can belong to two legs at once: in a self-call the same
 * bot is caller and callee of the same Call-ID with the same tags. What separates the legs is
 * who owns each transaction: the caller's leg is made of the requests it sends and the
 * responses it receives, plus in-dialog requests the far end sends it (a BYE from the callee)
 * and its answers to those. The callee's leg is the mirror image.
 */
export type LegRole = 'caller' | 'callee';

const DIALOG_CREATING = new Set(['INVITE', 'ACK', 'CANCEL']);

export function legMessages(events: readonly SipMessageEvent[], party: string, callId: string, role: LegRole): SipMessageEvent[] {
  const mine = withoutRepeatedAcks(events.filter((e) => e.type === 'sip' && e.party === party && e.callId === callId && !e.retransmission));
  const reinvites = mine.filter(isReinvite);
  return mine.filter((e) => belongsTo(e, role) || answersReinvite(e, reinvites));
}

/**
 * Drops an ACK that repeats one already in the flow: same direction, CSeq number and To tag.
 * The caller sends its ACK again for every copy of the 2xx it receives (RFC 3261 §13.2.2.4),
 * and a user agent may build each copy anew with a branch of its own, so the transport layer
 * cannot tell it is a copy; for the dialog it is the same ACK.
 */
function withoutRepeatedAcks(events: readonly SipMessageEvent[]): SipMessageEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    if (e.method !== 'ACK') return true;
    const key = `${e.direction}|${cseqNumber(e)}|${toTag(e) ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toTag(event: SipMessageEvent): string | undefined {
  return /^(?:To|t)\s*:[^\r\n]*;\s*tag=([^;\s]+)/im.exec(event.raw)?.[1];
}

/** An INVITE inside the dialog (its To has a tag): hold, unhold, a session refresh. */
function isReinvite(event: SipMessageEvent): boolean {
  return event.method === 'INVITE' && hasToTag(event);
}

/**
 * The rest of a re-INVITE transaction, whichever side sent it: the responses (same top Via
 * branch) and the ACK for a 2xx, a transaction of its own that repeats the INVITE's CSeq
 * number (RFC 3261 §13.2.2.4) and travels the same way as the INVITE.
 */
function answersReinvite(event: SipMessageEvent, reinvites: readonly SipMessageEvent[]): boolean {
  if (event.method === undefined) return event.branch !== undefined && cseqMethod(event) === 'INVITE' && reinvites.some((r) => r.branch === event.branch);
  if (event.method !== 'ACK') return false;
  const number = cseqNumber(event);
  return reinvites.some((r) => r.direction === event.direction && cseqNumber(r) === number);
}

function cseqNumber(event: SipMessageEvent): string | undefined {
  return event.cseq?.trim().split(/\s+/)[0];
}

function belongsTo(event: SipMessageEvent, role: LegRole): boolean {
  const isRequest = event.method !== undefined;
  const ownSide = role === 'caller' ? 'out' : 'in';
  if (isRequest && event.direction === ownSide) return true;
  if (!isRequest && event.direction !== ownSide) return true;
  // The far end's in-dialog requests (BYE, re-INVITE with a To tag) and our answers to them.
  const method = isRequest ? event.method! : cseqMethod(event);
  if (method === undefined || DIALOG_CREATING.has(method)) return method === 'INVITE' && isRequest && hasToTag(event);
  return true;
}

export function cseqMethod(event: SipMessageEvent): string | undefined {
  return event.cseq?.trim().split(/\s+/)[1]?.toUpperCase();
}

export function hasToTag(event: SipMessageEvent): boolean {
  return toTag(event) !== undefined;
}

/** `INVITE>`, `<180`, `<200/CANCEL`: the same compact notation as expected flows. */
export function flowToken(event: SipMessageEvent): string {
  const body = event.method ?? (event.status !== undefined && event.status >= 200 && event.status < 300 ? `${event.status}/${cseqMethod(event) ?? '?'}` : String(event.status ?? '?'));
  return event.direction === 'out' ? `${body}>` : `<${body}`;
}

/** Plain words for one message, for differences: "200 OK (CANCEL)", "INVITE". */
export function describeMessage(event: SipMessageEvent): string {
  if (event.method) return `${event.method} ${event.direction === 'out' ? 'sent' : 'received'}`;
  const reason = event.startLine?.replace(/^SIP\/2\.0 \d+ ?/, '') ?? '';
  return `${event.status} ${reason}`.trim() + ` (${cseqMethod(event) ?? '?'}) ${event.direction === 'out' ? 'sent' : 'received'}`;
}
