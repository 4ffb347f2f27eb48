import { join } from 'node:path';
import type { EventStream } from '../events/event-stream.js';
import { createRtpSdhFactory, type RtpMediaOptions } from '../media/session-description-handler.js';
import { isLoopbackAddress } from '../media/webrtc/loopback-ice.js';
import { createWebRtcSdhFactory } from '../media/webrtc/webrtc-session-description-handler.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { MediaFactoryBuilder } from './bot.js';
import { rtpNatOptions } from './nat/rtp-nat-options.js';

export interface RtpMediaSettings {
  events: EventStream;
  clock: Clock;
  logger?: Logger;
  /** Write what each bot heard as WAV files here (`--record`). */
  recordDir?: string;
}

/**
 * Gives every bot a tone-sending media plane, plain RTP or WebRTC as its `media` says: the final
 * statistics of each call go to the event stream under the bot's name, and so does each plain
 * RTP packet. WebRTC packets are not: they are SRTP on the wire, and a capture showing them as
 * plain RTP between the ICE addresses would be a capture of something that never happened.
 */
export function rtpMedia(settings: RtpMediaSettings): MediaFactoryBuilder {
  const { events, clock } = settings;
  return (bot, callIdOf, nat) => {
    const common = {
      toneHz: bot.tone,
      ...(bot.play === undefined ? {} : { playWavPath: bot.play }),
      clock,
      logger: settings.logger?.child({ bot: bot.name }),
      onStats: (stats, session) =>
        events.emit({ type: 'media-stats', at: clock.now(), party: bot.name, callId: callIdOf(session), codec: stats.codec, sent: stats.sent, received: stats.received }),
      ...(settings.recordDir ? { recordWavPath: (session: unknown) => recordingPath(settings.recordDir!, bot.name, callIdOf(session)) } : {}),
    } satisfies Partial<RtpMediaOptions>;
    if (bot.media === 'webrtc') return createWebRtcSdhFactory({ ...common, ...(bot.bindAddress && isLoopbackAddress(bot.bindAddress) ? { hostAddress: bot.bindAddress } : {}) });
    return createRtpSdhFactory({
      ...common,
      ...rtpNatOptions(bot, nat),
      onPacket: (direction, local, remote, bytes, rtcp) => events.emit({ type: 'rtp', at: clock.now(), party: bot.name, direction, local, remote, bytes, rtcp }),
    });
  };
}

/**
 * `<dir>/<bot>-<first 12 characters of the Call-ID>.wav`. The Call-ID comes from the far end
 * (`../../x` is a legal Call-ID): anything but letters, digits, `-` and `_` becomes `_`, so the
 * name stays inside the run folder.
 */
export function recordingPath(dir: string, botName: string, callId: string): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '_');
  return join(dir, `${safe(botName)}-${safe(callId.slice(0, 12))}.wav`);
}
