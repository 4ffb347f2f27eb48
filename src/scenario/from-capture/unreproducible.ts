import type { SipMessageEvent } from '../../events/types.js';
import type { CapturedCall } from './captured-call.js';
import { infoDigit } from './in-call-steps.js';

/** Codecs a bot speaks (src/media): G.711 both laws and RFC 4733 telephone events. */
const SPOKEN = new Set(['PCMU', 'PCMA', 'TELEPHONE-EVENT']);
/** RFC 3551 static payload types, for an m= line without rtpmap. */
const STATIC_NAMES: Record<number, string> = { 0: 'PCMU', 3: 'GSM', 4: 'G723', 8: 'PCMA', 9: 'G722', 18: 'G729' };

/** What the calls offered, for the header: `PCMU, PCMA, telephone-event`. */
export function codecsOffered(call: CapturedCall): string[] {
  const offer = call.messages.find((m) => m.method === 'INVITE' && m.party === call.caller && sdpOf(m) !== undefined);
  return offer ? audioCodecs(sdpOf(offer)!) : [];
}

/**
 * What a capture shows that a generated scenario cannot play, each with where it was seen:
 * SRTP (SDES or DTLS), codecs other than G.711 and telephone-event, video, INFO (DTMF
 * over INFO only in a capture of several calls), re-INVITEs (hold/resume, session refresh), a B2BUA's second Call-ID.
 */
export function unreproducible(calls: readonly CapturedCall[], origin: number, played: { holdsPlayed: boolean; infoDigitsPlayed: boolean }): string[] {
  const t = (m: SipMessageEvent) => `+${((m.at - origin) / 1000).toFixed(3)} s`;
  const notes: string[] = [];
  for (const call of calls) {
    const offer = call.messages.find((m) => m.method === 'INVITE' && m.party === call.caller && sdpOf(m) !== undefined);
    if (offer) {
      const sdp = sdpOf(offer)!;
      if (/^m=\S+ \d+ \S*SAVP/m.test(sdp) || /^a=crypto:/m.test(sdp)) notes.push(`SRTP offered in the INVITE at ${t(offer)} (call ${call.callId}): bots offer plain RTP (DTLS-SRTP only with media: webrtc over ws/wss)`);
      const others = audioCodecs(sdp).filter((c) => !SPOKEN.has(c.toUpperCase()));
      if (others.length > 0) notes.push(`codecs offered at ${t(offer)} that sipbots does not speak: ${others.join(', ')} (call ${call.callId}); bots offer PCMU, PCMA, telephone-event`);
      if (/^m=video /m.test(sdp)) notes.push(`video offered at ${t(offer)} (call ${call.callId}): bots send audio only`);
    }
    // INFO digits of a one-call capture are played as info steps; any other INFO is not.
    const info = call.messages.find((m) => m.method === 'INFO' && !m.retransmission && !(played.infoDigitsPlayed && infoDigit(m.raw) !== undefined));
    if (info) notes.push(`INFO at ${t(info)} (call ${call.callId}${infoDigit(info.raw) !== undefined ? ', DTMF' : ''}): not played${infoDigit(info.raw) !== undefined ? ' (in a capture of several calls; add an info step by hand)' : ''}`);
    const reinvites = call.messages.filter((m) => m.method === 'INVITE' && !m.retransmission && /^(?:To|t)\s*:[^\r\n]*;\s*tag=/im.test(m.raw));
    for (const reinvite of played.holdsPlayed ? [] : reinvites.filter((m, i) => reinvites.findIndex((r) => r.cseq === m.cseq) === i)) {
      const direction = /^a=(sendonly|recvonly|inactive|sendrecv)/m.exec(sdpOf(reinvite) ?? '')?.[1] ?? 'no SDP';
      notes.push(`re-INVITE (a=${direction}) from ${reinvite.party} at ${t(reinvite)} (call ${call.callId}): not played; add hold/unhold steps by hand`);
    }
  }
  for (const [i, call] of calls.entries()) {
    const first = calls.slice(0, i).find((c) => c.callee === call.caller && c.toUser === call.toUser && call.startedAt - c.startedAt < 5000);
    if (first) notes.push(`call ${call.callId} starts at ${first.callee}, where call ${first.callId} ended, for the same user ${call.toUser}: a B2BUA's second Call-ID; played as two separate calls`);
  }
  return notes;
}

function sdpOf(m: SipMessageEvent): string | undefined {
  const split = m.raw.indexOf('\r\n\r\n');
  const body = split < 0 ? '' : m.raw.slice(split + 4);
  return /^v=0/m.test(body) ? body.replace(/\r\n/g, '\n') : undefined;
}

function audioCodecs(sdp: string): string[] {
  const media = /^m=audio \d+ \S+ ([\d ]+)$/m.exec(sdp);
  if (!media) return [];
  const names = new Map<number, string>();
  for (const match of sdp.matchAll(/^a=rtpmap:(\d+) ([^/\s]+)/gm)) names.set(Number(match[1]), match[2]!);
  return media[1]!.trim().split(/\s+/).map((pt) => names.get(Number(pt)) ?? STATIC_NAMES[Number(pt)] ?? `payload type ${pt}`);
}
