import type { SipMessageEvent } from '../../events/types.js';
import { cseqMethod, flowToken, hasToTag, legMessages } from '../observed-flow.js';
import { viewOf, type CapturedCall } from './captured-call.js';

/**
 * What one captured call did, read off its two end legs: the timings a scenario needs
 * (all epoch ms from the capture) and the legs in the ladder notation of `expect.legs`.
 */
export interface CallFacts {
  call: CapturedCall;
  /** The caller's first INVITE. */
  startAt: number;
  /** The last final response to an INVITE the caller received, and when. */
  callerFinal?: { status: number; at: number };
  /** The caller's ACK to a 2xx: the call is confirmed at the caller. */
  callerConfirmedAt?: number;
  /** The INVITE reaching the callee, the callee's first provisional, 180 and final response. */
  calleeInviteAt?: number;
  calleeFirstProvisionalAt?: number;
  calleeRangAt?: number;
  calleeFinal?: { status: number; at: number };
  calleeConfirmedAt?: number;
  /** Provisional responses other than 100, 180 and the early-media 183 the callee sent (a 183 without SDP). */
  calleeOtherProvisionals: Array<{ status: number; at: number }>;
  /** The callee's first 183 with SDP before its final response (early media); `reliable` when it carried `Require: 100rel`. */
  calleeEarlyMedia?: { at: number; reliable: boolean };
  cancelAt?: number;
  /** The callee received a CANCEL: when (from the caller's CANCEL, or a proxy's timer). */
  calleeCancelledAt?: number;
  bye?: { by: 'caller' | 'callee' | 'other'; at: number; sender: string };
  /** Time of the call's last message. */
  endAt: number;
  /** Re-INVITEs sent by caller or callee: a=sendonly/inactive holds, a=sendrecv resumes (RFC 3264 §8.4). */
  holds: Array<{ at: number; by: 'caller' | 'callee'; hold: boolean }>;
  callerLeg: string[];
  /** Undefined when caller and callee are the same endpoint (a self-call), or the server answered. */
  calleeLeg?: string[];
}

export function callFacts(call: CapturedCall): CallFacts {
  const { caller, callee, messages } = call;
  const callerMessages = legMessages(viewOf(messages, caller), caller, call.callId, 'caller');
  const selfCall = caller === callee;
  // A server that answered itself is no party: there is no callee leg to read.
  const calleeMessages = call.answeredByServer ? [] : legMessages(viewOf(messages, callee), callee, call.callId, 'callee');

  const firstInvite = callerMessages.find((m) => m.method === 'INVITE' && m.direction === 'out')!;
  // Responses to the dialog-creating INVITEs only: a re-INVITE's 200 is not how the call ended.
  const initialCSeqs = new Set(callerMessages.filter((m) => m.method === 'INVITE' && m.direction === 'out' && !hasToTag(m)).map((m) => m.cseq));
  const callerFinalMessage = callerMessages.filter((m) => m.direction === 'in' && isFinalToInvite(m) && initialCSeqs.has(m.cseq)).at(-1);
  const callerAck = callerFinalMessage && callerFinalMessage.status! < 300 ? callerMessages.find((m) => m.method === 'ACK' && m.direction === 'out' && m.at >= callerFinalMessage.at) : undefined;
  const calleeInvite = calleeMessages.find((m) => m.method === 'INVITE' && m.direction === 'in');
  const calleeSent = calleeMessages.filter((m) => m.direction === 'out' && m.status !== undefined && cseqMethod(m) === 'INVITE');
  const calleeFinalMessage = calleeSent.find((m) => m.status! >= 200);
  const calleeRang = calleeSent.find((m) => m.status === 180);
  const earlyMedia = calleeSent.find((m) => isEarlyMedia(m) && (!calleeFinalMessage || m.at <= calleeFinalMessage.at));
  const calleeAck = calleeFinalMessage && calleeFinalMessage.status! < 300 ? calleeMessages.find((m) => m.method === 'ACK' && m.direction === 'in' && m.at >= calleeFinalMessage.at) : undefined;
  const cancel = callerMessages.find((m) => m.method === 'CANCEL' && m.direction === 'out');
  const calleeCancel = calleeMessages.find((m) => m.method === 'CANCEL' && m.direction === 'in');
  const byeMessage = messages.find((m) => m.method === 'BYE' && !m.retransmission);
  const bye = byeMessage ? { by: byeSide(byeMessage.party, call), at: byeMessage.at, sender: byeMessage.party } : undefined;
  return {
    call,
    startAt: firstInvite.at,
    ...(callerFinalMessage ? { callerFinal: { status: callerFinalMessage.status!, at: callerFinalMessage.at } } : {}),
    ...(callerAck ? { callerConfirmedAt: callerAck.at } : {}),
    ...(calleeInvite ? { calleeInviteAt: calleeInvite.at } : {}),
    ...(calleeSent[0] ? { calleeFirstProvisionalAt: calleeSent[0].at } : {}),
    ...(calleeRang ? { calleeRangAt: calleeRang.at } : {}),
    ...(calleeFinalMessage ? { calleeFinal: { status: calleeFinalMessage.status!, at: calleeFinalMessage.at } } : {}),
    ...(calleeAck ? { calleeConfirmedAt: calleeAck.at } : {}),
    calleeOtherProvisionals: calleeSent.filter((m) => m.status! > 100 && m.status! < 200 && m.status !== 180 && !isEarlyMedia(m)).map((m) => ({ status: m.status!, at: m.at })),
    ...(earlyMedia ? { calleeEarlyMedia: { at: earlyMedia.at, reliable: /^Require\s*:[^\r\n]*\b100rel\b/im.test(headersOf(earlyMedia.raw)) } } : {}),
    ...(cancel ? { cancelAt: cancel.at } : {}),
    ...(calleeCancel ? { calleeCancelledAt: calleeCancel.at } : {}),
    ...(bye ? { bye } : {}),
    endAt: messages.at(-1)!.at,
    holds: holdsOf(call),
    callerLeg: legTokens(callerMessages),
    ...(selfCall || call.answeredByServer ? {} : { calleeLeg: legTokens(calleeMessages) }),
  };
}

function holdsOf(call: CapturedCall): CallFacts['holds'] {
  const reinvites = call.messages.filter((m) => m.method === 'INVITE' && !m.retransmission && (m.party === call.caller || m.party === call.callee) && hasToTag(m));
  return reinvites.map((m) => ({
    at: m.at,
    by: m.party === call.caller ? 'caller' : 'callee',
    hold: /^a=(?:sendonly|inactive)\r?$/m.test(m.raw),
  }));
}

/** 183 Session Progress with an SDP body: what a bot with `earlyMedia` sends. */
export function isEarlyMedia(m: SipMessageEvent): boolean {
  if (m.status !== 183) return false;
  const split = m.raw.indexOf('\r\n\r\n');
  return split >= 0 && /^v=0/m.test(m.raw.slice(split + 4));
}

function headersOf(raw: string): string {
  const split = raw.indexOf('\r\n\r\n');
  return split < 0 ? raw : raw.slice(0, split);
}

function isFinalToInvite(m: SipMessageEvent): boolean {
  return m.status !== undefined && m.status >= 200 && cseqMethod(m) === 'INVITE';
}

function byeSide(sender: string, call: CapturedCall): 'caller' | 'callee' | 'other' {
  if (sender === call.caller) return 'caller';
  if (sender === call.callee) return 'callee';
  return 'other';
}

/**
 * A leg in the notation of `expect.legs`. 100 Trying is optional where the capture had one, and
 * after every initial INVITE whether the capture had one or not: a UAS sends it only when it
 * will not answer within 200 ms (RFC 3261 §8.2.6.1), and a proxy's is hop-by-hop (none before
 * a stateless 407). A 183 with SDP stays (a bot with `earlyMedia` sends it); other
 * provisional responses besides 180 are left out (the judge ignores provisionals nobody asked
 * for, and a bot sends none of them). Retransmissions were removed before.
 */
export function legTokens(messages: readonly SipMessageEvent[]): string[] {
  const tokens: string[] = [];
  for (const m of messages) {
    if (m.status !== undefined && m.status < 200 && m.status !== 100 && m.status !== 180 && !isEarlyMedia(m)) continue;
    if (m.status === 100) {
      const optional = `${flowToken(m)}?`;
      if (optional !== tokens.at(-1)) tokens.push(optional);
      continue;
    }
    tokens.push(flowToken(m));
    if (m.method === 'INVITE' && !hasToTag(m)) tokens.push(m.direction === 'out' ? '<100?' : '100>?');
  }
  return tokens;
}
