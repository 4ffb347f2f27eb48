/**
 * The SDP around werift's peer connection: what we check in the peer's WebRTC SDP before werift
 * sees it, and the one thing we add to ours. werift builds and parses the full SDP (JSEP,
 * RFC 8829); these helpers only read candidates, the transport and the codecs.
 *
 *   m=audio 50312 UDP/TLS/RTP/SAVPF 0 8                    RFC 5764 DTLS-SRTP profile
 *   c=IN IP4 127.0.0.1                                     default candidate (RFC 8839 §5.1)
 *   a=candidate:… 1 udp 2116026367 127.0.0.1 50312 typ host
 *   a=ice-ufrag:… / a=ice-pwd:…                            RFC 8839 §5.4
 *   a=fingerprint:sha-256 C8:13:…                          RFC 8122 §5
 *   a=setup:actpass                                        RFC 8842
 *   a=rtcp-mux                                             RFC 5761 §5.1.3
 */

import { codecOfFormat, parseSdp, remoteAudioOf } from '../sdp.js';
import type { G711Codec } from '../g711.js';
import { isLoopbackAddress } from './loopback-ice.js';
import { NoLoopbackCandidateError, NotWebRtcSdpError, WebRtcCodecError } from './webrtc-errors.js';

export interface SdpCandidate {
  address: string;
  port: number;
  type: string;
  /** The whole `a=candidate:` line. */
  line: string;
}

/** Every `a=candidate` line (RFC 8839 §5.1: foundation component transport priority address port typ type …). */
export function candidatesOf(sdp: string): SdpCandidate[] {
  const candidates: SdpCandidate[] = [];
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith('a=candidate:')) continue;
    const fields = line.slice('a=candidate:'.length).split(/\s+/);
    const port = Number.parseInt(fields[5] ?? '', 10);
    candidates.push({ address: fields[4] ?? '', port, type: fields[7] ?? '', line });
  }
  return candidates;
}

/**
 * The peer's SDP without candidates outside 127.0.0.0/8 (LAN, public, IPv6, mDNS `.local`
 * names werift would otherwise resolve by multicast). Throws when no loopback candidate is left.
 */
export function keepLoopbackCandidates(sdp: string): { sdp: string; remote: SdpCandidate } {
  const candidates = candidatesOf(sdp);
  const refused = candidates.filter((c) => !isLoopbackAddress(c.address));
  const kept = candidates.find((c) => isLoopbackAddress(c.address) && Number.isInteger(c.port));
  if (!kept) throw new NoLoopbackCandidateError(refused.map((c) => c.address), sdp);
  if (refused.length === 0) return { sdp, remote: kept };
  const drop = new Set(refused.map((c) => c.line));
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return { sdp: sdp.split(/\r?\n/).filter((line) => !drop.has(line.trim())).join(eol), remote: kept };
}

/**
 * Checks that the peer speaks WebRTC audio we can carry: DTLS-SRTP transport, ICE credentials,
 * a fingerprint, and PCMU or PCMA among the formats (Opus alongside is fine; we answer G.711).
 * Returns the G.711 laws offered, in the peer's order.
 */
export function requireWebRtcG711(sdp: string): G711Codec[] {
  const parsed = parseSdp(sdp);
  const audio = remoteAudioOf(parsed, sdp);
  const section = parsed.media[audio.mediaIndex];
  if (!section || !/\bSAVPF?\b/.test(section.proto)) throw new NotWebRtcSdpError(`m=audio transport is ${section?.proto ?? 'missing'}, not UDP/TLS/RTP/SAVPF`, sdp);
  if (!/^a=fingerprint:/m.test(sdp)) throw new NotWebRtcSdpError('no a=fingerprint for DTLS', sdp);
  if (!/^a=ice-ufrag:/m.test(sdp)) throw new NotWebRtcSdpError('no a=ice-ufrag for ICE', sdp);
  const laws: G711Codec[] = [];
  for (const pt of audio.payloadTypes) {
    const law = codecOfFormat(section.rtpmap, pt);
    if (law && !laws.includes(law)) laws.push(law);
  }
  if (laws.length === 0) throw new WebRtcCodecError(audio.payloadTypes.map((pt) => section.rtpmap.get(pt) ?? String(pt)), sdp);
  return laws;
}

/**
 * Our SDP with the default candidate in the audio m= and c= lines (and a=rtcp, muxed), as JSEP
 * does once gathering is complete (RFC 8829 §5.2.1 uses port 9 and 0.0.0.0 only before any
 * candidate exists); SIP peers that read c= then see 127.0.0.1, not 0.0.0.0.
 */
export function withDefaultCandidate(sdp: string, candidate: Pick<SdpCandidate, 'address' | 'port'>): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  let inAudio = false;
  return sdp
    .split(/\r?\n/)
    .map((line) => {
      if (line.startsWith('m=')) {
        inAudio = line.startsWith('m=audio ');
        return inAudio ? line.replace(/^m=audio \d+ /, `m=audio ${candidate.port} `) : line;
      }
      if (!inAudio) return line;
      if (line.startsWith('c=IN IP4 ')) return `c=IN IP4 ${candidate.address}`;
      if (line.startsWith('a=rtcp:')) return `a=rtcp:${candidate.port} IN IP4 ${candidate.address}`;
      return line;
    })
    .join(eol);
}
