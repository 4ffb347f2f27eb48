import { DEFAULT_NAT, type BotConfig } from '../../config/bots-schema.js';
import type { MediaNatHints } from '../../media/nat/rtp-latch.js';
import type { RtpMediaOptions } from '../../media/session-description-handler.js';

/**
 * The media options a bot's NAT settings imply: bind RTP where SIP is bound, latch as
 * configured, and (only when asked: see docs/nat.md) put the learnt public address in c=.
 */
export function rtpNatOptions(bot: BotConfig, nat: MediaNatHints | undefined): Pick<RtpMediaOptions, 'bindAddress' | 'latching' | 'sdpAddress'> {
  const settings = bot.nat ?? DEFAULT_NAT;
  return {
    ...(bot.bindAddress ? { bindAddress: bot.bindAddress } : {}),
    latching: settings.latching,
    ...(settings.sdpPublicAddress && nat ? { sdpAddress: () => nat.publicAddress() } : {}),
  };
}
