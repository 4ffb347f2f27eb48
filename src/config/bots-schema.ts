import { z } from 'zod';
import { TRANSPORT_PROTOCOLS, type TransportProtocol } from '../sip/transport/types.js';
import { behaviourOverrideSchema, DEFAULT_BEHAVIOUR, resolveBehaviour, type CalleeBehaviour } from './behaviour.js';
import type { PathProblem } from './env-substitution.js';
import { isRecord } from './is-record.js';
import { booleanField, integerField, NAME_PATTERN, textField } from './scalar-fields.js';
import { referenceProblem, schemaProblem } from './problem-text.js';
import { localizedError } from './zod-problem.js';

/** One bot, every default filled in: what the bot layer is built from. */
export interface BotConfig {
  name: string;
  /** User part of the AOR, `alice` in `sip:alice@lab.test`. */
  user: string;
  /** Digest username (RFC 3261 §22.4); the user when not set. */
  authUser: string;
  password: string;
  displayName?: string;
  domain: string;
  /** The domain's SIP server (registrar and proxy), reached directly; absent: the lab's embedded proxy. */
  server?: string;
  /**
   * A proxy distinct from the domain that every request goes through (a softphone's "outbound
   * proxy"): requests carry `Route: <outboundProxy;lr>` (RFC 3261 §8.1.2); the AOR stays user@domain.
   */
  outboundProxy?: string;
  transport: TransportProtocol;
  /** REGISTER expiry, seconds. */
  expires: number;
  /** Frequency in Hz of the tone this bot sends while in a call, so a capture shows who is talking. */
  tone: number;
  behaviour: CalleeBehaviour;
  /** Local address for SIP and RTP sockets; 127.0.0.1 when not set. */
  bindAddress?: string;
  /** DEFAULT_NAT when not set. */
  nat?: NatSettings;
  /** Plain RTP/AVP (the default), or a browser-style WebRTC peer connection (ICE, DTLS-SRTP); needs ws/wss. */
  media?: BotMedia;
  /** WAV (8 kHz mono 16-bit PCM) sent, looped, instead of the tone; absolute once loadBotsFile has resolved it. */
  play?: string;
}

export const BOT_MEDIA = ['rtp', 'webrtc'] as const;
export type BotMedia = (typeof BOT_MEDIA)[number];
/** Browser-style SIP endpoints (RFC 7118) signal over WebSocket; WebRTC media goes with it. */
export const WEBRTC_TRANSPORTS: readonly TransportProtocol[] = ['ws', 'wss'];

/** Behaviour behind NAT (docs/nat.md). */
export interface NatSettings {
  /** CRLF keep-alive (UDP) / double-CRLF ping (TCP, TLS) interval once registered; 0 = off. */
  keepAliveSeconds: number;
  /** Re-register with the public address seen in received/rport (PJSIP allow_contact_rewrite). */
  rewriteContact: boolean;
  /** Put the learnt public address in SDP c= (PJSIP allow_sdp_nat_rewrite). */
  sdpPublicAddress: boolean;
  /** RTP latching: callee only, always, or off. */
  latching: 'callee' | 'always' | 'off';
}

export const DEFAULT_NAT: NatSettings = { keepAliveSeconds: 25, rewriteContact: true, sdpPublicAddress: false, latching: 'callee' };

export interface BotsFile {
  file: string;
  bots: Map<string, BotConfig>;
}

export const DEFAULT_TRANSPORT: TransportProtocol = 'udp';
export const DEFAULT_EXPIRES = 60;
export const DEFAULT_TONE_HZ = 440;

const sipUri = z.string().regex(/^sips?:\S+$/, { error: localizedError(schemaProblem.sipUri()) });

const connectionFields = {
  domain: textField({ en: 'a SIP domain', zh: 'SIP 域名' }).optional(),
  server: sipUri.optional(),
  outboundProxy: sipUri.optional(),
  transport: z.enum(TRANSPORT_PROTOCOLS as [TransportProtocol, ...TransportProtocol[]]).optional(),
  // RFC 3261 §20.19: delta-seconds up to 2^32-1; 0 would mean "unregister", not a setting.
  expires: integerField(1, 4_294_967_295, { en: 'the REGISTER expiry in seconds', zh: 'REGISTER 的有效期（秒）' }).optional(),
  bindAddress: z.union([z.ipv4(), z.ipv6()], { error: localizedError(schemaProblem.ipAddress()) }).optional(),
  media: z.enum(BOT_MEDIA).optional(),
  nat: z
    .strictObject({
      keepAliveSeconds: integerField(0, 3600, { en: 'seconds between NAT keep-alives; 0 turns them off', zh: 'NAT 保活的间隔秒数；0 表示关闭' }).optional(),
      rewriteContact: booleanField.optional(),
      sdpPublicAddress: booleanField.optional(),
      latching: z.enum(['callee', 'always', 'off']).optional(),
    })
    .optional(),
};

const botSchema = z.strictObject({
  user: textField({ en: 'a SIP user name', zh: 'SIP 用户名' }),
  authUser: textField({ en: 'a digest user name', zh: '摘要认证用户名' }).optional(),
  password: textField({ en: 'a password', zh: '密码' }),
  displayName: z.string().optional(),
  ...connectionFields,
  // G.711 samples at 8 kHz, so nothing at or above 4 kHz survives the codec.
  tone: integerField(20, 3999, { en: 'the tone frequency in Hz; G.711 carries only up to 4 kHz', zh: '音调频率（Hz）；G.711 只能传 4 kHz 以下' }).optional(),
  play: textField({ en: 'a WAV file (8 kHz mono 16-bit PCM), relative to this bots file', zh: 'WAV 文件（8 kHz 单声道 16 位 PCM），路径相对于这个机器人文件' }).optional(),
  behaviour: behaviourOverrideSchema.optional(),
});

export const botsFileSchema = z
  .strictObject({
    defaults: z.strictObject({ ...connectionFields, behaviour: behaviourOverrideSchema.optional() }).optional(),
    bots: z.record(z.string(), botSchema),
  })
  .transform(({ defaults = {}, bots }) => {
    const resolved = new Map<string, BotConfig>();
    for (const [name, bot] of Object.entries(bots)) {
      const server = bot.server ?? defaults.server;
      const outboundProxy = bot.outboundProxy ?? defaults.outboundProxy;
      const displayName = bot.displayName;
      const bindAddress = bot.bindAddress ?? defaults.bindAddress;
      resolved.set(name, {
        name,
        user: bot.user,
        authUser: bot.authUser ?? bot.user,
        password: bot.password,
        ...(displayName === undefined ? {} : { displayName }),
        // The check pass guarantees a domain in one of the two places.
        domain: bot.domain ?? defaults.domain ?? '',
        ...(server === undefined ? {} : { server }),
        ...(outboundProxy === undefined ? {} : { outboundProxy }),
        transport: bot.transport ?? defaults.transport ?? DEFAULT_TRANSPORT,
        expires: bot.expires ?? defaults.expires ?? DEFAULT_EXPIRES,
        tone: bot.tone ?? DEFAULT_TONE_HZ,
        behaviour: resolveBehaviour(DEFAULT_BEHAVIOUR, defaults.behaviour, bot.behaviour),
        ...(bindAddress === undefined ? {} : { bindAddress }),
        ...(defaults.nat || bot.nat ? { nat: { ...DEFAULT_NAT, ...defaults.nat, ...bot.nat } } : {}),
        ...(bot.media || defaults.media ? { media: bot.media ?? defaults.media } : {}),
        ...(bot.play === undefined ? {} : { play: bot.play }),
      });
    }
    return resolved;
  });

/** Rules that span fields, checked on the raw data so they are reported alongside schema problems. */
export function checkBotsFile(data: unknown): PathProblem[] {
  if (!isRecord(data) || !isRecord(data['bots'])) return [];
  const problems: PathProblem[] = [];
  const defaults = isRecord(data['defaults']) ? data['defaults'] : {};
  const bots = Object.entries(data['bots']);
  if (bots.length === 0) {
    problems.push({ path: ['bots'], ...referenceProblem.noBots() });
  }
  for (const [name, bot] of bots) {
    if (!NAME_PATTERN.test(name)) {
      problems.push({ path: ['bots', name], ...referenceProblem.badName('bot', name) });
    }
    if (isRecord(bot) && bot['domain'] === undefined && defaults['domain'] === undefined) {
      problems.push({ path: ['bots', name, 'domain'], ...referenceProblem.noDomain() });
    }
    if (isRecord(bot)) problems.push(...checkWebRtcTransport(name, bot, defaults));
  }
  return problems;
}

/** `media: webrtc` with a transport other than ws/wss: browser-style endpoints signal over WebSocket. */
function checkWebRtcTransport(name: string, bot: Record<string, unknown>, defaults: Record<string, unknown>): PathProblem[] {
  const media = bot['media'] ?? defaults['media'];
  const transport = bot['transport'] ?? defaults['transport'] ?? DEFAULT_TRANSPORT;
  if (media !== 'webrtc' || typeof transport !== 'string' || (WEBRTC_TRANSPORTS as readonly string[]).includes(transport)) return [];
  return [
    {
      path: ['bots', name, bot['media'] === undefined ? 'transport' : 'media'],
      ...referenceProblem.webrtcBotTransport(transport),
    },
  ];
}
