import type { SessionDescriptionHandlerFactory } from 'sip.js';
import type { EventStream } from '../events/event-stream.js';
import { createRtpSdhFactory } from '../media/session-description-handler.js';
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
 * Gives every bot a tone-sending RTP media plane: each packet and the final statistics of
 * each call go to the event stream under the bot's name.
 */
export function rtpMedia(settings: RtpMediaSettings): MediaFactoryBuilder {
  const { events, clock } = settings;
  return (bot, callIdOf, nat) =>
    createRtpSdhFactory({
      toneHz: bot.tone,
      ...(bot.play === undefined ? {} : { playWavPath: bot.play }),
      ...rtpNatOptions(bot, nat),
      clock,
      logger: settings.logger?.child({ bot: bot.name }),
      onPacket: (direction, local, remote, bytes, rtcp) => events.emit({ type: 'rtp', at: clock.now(), party: bot.name, direction, local, remote, bytes, rtcp }),
      onStats: (stats, session) =>
        events.emit({ type: 'media-stats', at: clock.now(), party: bot.name, callId: callIdOf(session), codec: stats.codec, sent: stats.sent, received: stats.received }),
      ...(settings.recordDir ? { recordWavPath: (session: unknown) => `${settings.recordDir}/${bot.name}-${callIdOf(session).slice(0, 12)}.wav` } : {}),
    }) as unknown as SessionDescriptionHandlerFactory;
}
