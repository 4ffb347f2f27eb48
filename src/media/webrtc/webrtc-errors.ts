import { SdpNegotiationError } from '../sdp.js';

/**
 * The peer's WebRTC offer or answer has no G.711 codec (e.g. Opus only). We encode and decode
 * G.711 only, so rather than send PCMU under an Opus payload type the exchange fails: an answer
 * makes the user agent ACK and BYE with 488 (RFC 3264 §6: no common codec), an offer fails the INVITE.
 */
export class WebRtcCodecError extends SdpNegotiationError {
  override name = 'WebRtcCodecError';

  constructor(
    readonly offeredCodecs: readonly string[],
    sdp: string,
  ) {
    super(`no G.711 codec in the peer's WebRTC SDP: it offers ${offeredCodecs.join(', ') || 'nothing'}, sipbots sends and decodes PCMU/PCMA only`, sdp);
  }
}

/** The peer's SDP is not WebRTC (no UDP/TLS/RTP/SAVPF, ICE credentials or DTLS fingerprint). */
export class NotWebRtcSdpError extends SdpNegotiationError {
  override name = 'NotWebRtcSdpError';

  constructor(
    readonly missing: string,
    sdp: string,
  ) {
    super(`the peer's SDP is not WebRTC (${missing}); this bot has media: webrtc, use media: rtp for plain RTP/AVP peers`, sdp);
  }
}

/**
 * No ICE candidate of the peer is in 127.0.0.0/8. sipbots sends only to loopback, so it does not
 * even try the others (LAN, public, mDNS `.local`).
 */
export class NoLoopbackCandidateError extends SdpNegotiationError {
  override name = 'NoLoopbackCandidateError';

  constructor(
    readonly refusedAddresses: readonly string[],
    sdp: string,
  ) {
    super(`no ICE candidate in 127.0.0.0/8 in the peer's SDP (refused: ${refusedAddresses.join(', ') || 'none given'}); sipbots sends media only to loopback`, sdp);
  }
}

/** ICE gathering did not finish in time; without trickle ICE over SIP the SDP cannot be sent. */
export class IceGatheringTimeoutError extends Error {
  override name = 'IceGatheringTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`ICE candidate gathering did not complete within ${timeoutMs} ms; SIP has no trickle ICE, so the SDP waits for it`);
  }
}
