/**
 * ICE for sipbots' WebRTC calls, held to loopback: sipbots never sends a packet outside
 * 127.0.0.0/8, and werift's defaults would (a Google STUN server, a host candidate on every
 * non-internal interface, mDNS lookups of `.local` candidates).
 *
 * What each setting below shuts off (RFC 8445 §5.1.1 gathering, §6.1.2 checks):
 * - `iceServers: []`: no server-reflexive or relay candidates, so no STUN/TURN traffic at all;
 * - `iceUseIpv4/iceUseIpv6: false`: werift's interface scan returns nothing ...
 * - `iceAdditionalHostAddresses: ['127.0.0.1']` (or the party's 127.x address): ... so the one
 *   host candidate is loopback;
 * - `iceInterfaceAddresses.udp4`: its socket binds that address, not 0.0.0.0, so the kernel
 *   refuses to send from it to anything but loopback;
 * - `iceFilterCandidatePair`: no check towards a remote candidate outside 127.0.0.0/8, including
 *   peer-reflexive ones learnt from incoming checks (remote SDP is filtered too: see webrtc-sdp.ts).
 */

import { RTCRtpCodecParameters, type RTCPeerConnectionConfig } from 'werift';
import type { G711Codec } from '../g711.js';
import { G711_PAYLOAD_TYPE } from '../g711.js';
import { DEFAULT_TELEPHONE_EVENT_PT } from '../sdp.js';

export const LOOPBACK_ADDRESS = '127.0.0.1';

/** 127.0.0.0/8 (RFC 1122 §3.2.1.3), dotted-quad form. */
export function isLoopbackAddress(address: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/**
 * The static-payload-type G.711 codecs we encode and decode, in our order of preference
 * (werift needs the fixed payload type set up front for PCMU/PCMA), then RFC 4733
 * telephone-event for DTMF. Opus is left out on purpose: we would have nothing to encode it with.
 */
export function audioCodecs(codecs: readonly G711Codec[]): RTCRtpCodecParameters[] {
  return [
    ...codecs.map((codec) => new RTCRtpCodecParameters({ mimeType: `audio/${codec}`, clockRate: 8000, channels: 1, payloadType: G711_PAYLOAD_TYPE[codec] })),
    new RTCRtpCodecParameters({ mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1, payloadType: DEFAULT_TELEPHONE_EVENT_PT, parameters: '0-16' }),
  ];
}

/**
 * A peer connection configuration that gathers and checks only one loopback host candidate:
 * 127.0.0.1, or the party's own loopback address (the lab gives each party one of 127.0.1.x).
 */
export function loopbackPeerConfig(codecs: readonly G711Codec[], hostAddress = LOOPBACK_ADDRESS): RTCPeerConnectionConfig {
  if (!isLoopbackAddress(hostAddress)) throw new RangeError(`WebRTC host address ${hostAddress} is outside 127.0.0.0/8`);
  return {
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceUseTcp: false,
    iceUseLinkLocalAddress: false,
    iceAdditionalHostAddresses: [hostAddress],
    iceInterfaceAddresses: { udp4: hostAddress },
    iceFilterCandidatePair: (pair) => isLoopbackAddress(pair.remoteCandidate.host),
    codecs: { audio: audioCodecs(codecs), video: [] },
    // No RTP header extensions: G.711 audio needs none, and plain RTP peers expect none.
    headerExtensions: { audio: [], video: [] },
  };
}
