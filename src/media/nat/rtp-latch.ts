import type { Endpoint } from '../../sip/transport/types.js';

/**
 * Which side latches onto where the peer's media really comes from.
 *  - `callee`: only when we answered the offer (the usual server-side "comedia" choice: the
 *    callee of a NAT'd caller sees an unreachable private c= and must wait for its RTP);
 *  - `always`: also as the caller;  - `off`: send only where the SDP says.
 */
export type LatchingMode = 'callee' | 'always' | 'off';

export const DEFAULT_LATCHING: LatchingMode = 'callee';

export function latchingApplies(mode: LatchingMode, role: 'offerer' | 'answerer'): boolean {
  return mode === 'always' || (mode === 'callee' && role === 'answerer');
}

/**
 * RTP latching (a.k.a. symmetric RTP "comedia", RFC 4961 §3 and RFC 7362 §4): the SDP of a
 * peer behind NAT names an address we cannot reach (its private c=, or a guessed public port).
 * Once its RTP arrives, the source address and port are the NAT mapping that leads back to it,
 * so we send there instead. We latch on the first packet of each new SSRC from a new source,
 * not on every packet: a stray packet from elsewhere cannot then steal an established stream.
 */
export class RtpLatch {
  private latchedSsrc: number | undefined;

  /**
   * Returns the address to send to from now on, or undefined to keep the current one.
   * `current` is where we send now; `from` the source of an RTP packet with `ssrc`.
   */
  observe(from: Endpoint, ssrc: number, current: Endpoint | undefined): Endpoint | undefined {
    if (current && current.address === from.address && current.port === from.port) {
      this.latchedSsrc = ssrc;
      return undefined;
    }
    if (this.latchedSsrc === ssrc) return undefined;
    this.latchedSsrc = ssrc;
    return { address: from.address, port: from.port };
  }

  /** New remote from signalling (a re-INVITE): latch again on the next packet. */
  reset(): void {
    this.latchedSsrc = undefined;
  }
}

/** What the media layer learns from the bot about its NAT: the address peers can reach. */
export interface MediaNatHints {
  /** The public address learnt from REGISTER received/rport, once known; undefined otherwise. */
  publicAddress(): string | undefined;
}
