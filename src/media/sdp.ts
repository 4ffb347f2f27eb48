/**
 * SDP (RFC 8866) for plain RTP audio, and the offer/answer rules of RFC 3264 that apply to it.
 * Only what a G.711 call needs: one audio stream, PCMU/PCMA, telephone-event (RFC 4733), ptime,
 * direction attributes. Other m-lines of an offer are rejected in the answer with port 0, in
 * the same order (RFC 3264 §6).
 *
 *   v=0
 *   o=sipbots <sess-id> <sess-version> IN IP4 127.0.0.1
 *   s=sipbots
 *   c=IN IP4 127.0.0.1
 *   t=0 0
 *   m=audio 40000 RTP/AVP 0 8 101
 *   a=rtpmap:0 PCMU/8000
 *   a=rtpmap:8 PCMA/8000
 *   a=rtpmap:101 telephone-event/8000
 *   a=fmtp:101 0-16
 *   a=ptime:20
 *   a=sendrecv
 *
 * An IPv6 address goes out as `IN IP6 ::1` (RFC 8866 §5.7: the address without brackets).
 */

import { isIPv6 } from 'node:net';
import { G711_PAYLOAD_TYPE, type G711Codec } from './g711.js';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const DIRECTIONS: readonly MediaDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];
export const DEFAULT_TELEPHONE_EVENT_PT = 101;

export class SdpError extends Error {
  constructor(
    message: string,
    readonly sdp: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SdpError';
  }
}

/** RFC 3264 §6: no common codec (or no audio stream); the UAS answers 488. */
export class SdpNegotiationError extends SdpError {
  override name = 'SdpNegotiationError';
}

export interface SdpMediaSection {
  media: string;
  port: number;
  proto: string;
  formats: string[];
  /** payload type -> `PCMU/8000` */
  rtpmap: Map<number, string>;
  fmtp: Map<number, string>;
  /** Media-level c= address, if any. */
  address?: string;
  direction?: MediaDirection;
  ptime?: number;
  /** RFC 3605 a=rtcp port. */
  rtcpPort?: number;
}

export interface ParsedSdp {
  sessionAddress?: string;
  sessionDirection?: MediaDirection;
  media: SdpMediaSection[];
}

export function parseSdp(sdp: string): ParsedSdp {
  const parsed: ParsedSdp = { media: [] };
  let current: SdpMediaSection | undefined;
  for (const rawLine of sdp.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line.length < 2 || line[1] !== '=') continue;
    const type = line[0];
    const value = line.slice(2);
    if (type === 'm') {
      const [media, port, proto, ...formats] = value.split(/\s+/);
      const portNumber = Number.parseInt(port ?? '', 10);
      if (!media || !proto || !Number.isFinite(portNumber)) throw new SdpError(`malformed m= line "${line}"`, sdp);
      current = { media, port: portNumber, proto, formats, rtpmap: new Map(), fmtp: new Map() };
      parsed.media.push(current);
    } else if (type === 'c') {
      const address = value.split(/\s+/)[2]?.split('/')[0];
      if (!address) throw new SdpError(`malformed c= line "${line}"`, sdp);
      if (current) current.address = address;
      else parsed.sessionAddress = address;
    } else if (type === 'a') {
      parseAttribute(value, parsed, current);
    }
  }
  return parsed;
}

function parseAttribute(value: string, parsed: ParsedSdp, current: SdpMediaSection | undefined): void {
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  const rest = colon < 0 ? '' : value.slice(colon + 1);
  if ((DIRECTIONS as readonly string[]).includes(name)) {
    if (current) current.direction = name as MediaDirection;
    else parsed.sessionDirection = name as MediaDirection;
    return;
  }
  if (!current) return;
  if (name === 'rtpmap' || name === 'fmtp') {
    const space = rest.indexOf(' ');
    const pt = Number.parseInt(rest.slice(0, space), 10);
    if (space > 0 && Number.isFinite(pt)) current[name].set(pt, rest.slice(space + 1).trim());
  } else if (name === 'ptime') {
    current.ptime = Number.parseFloat(rest);
  } else if (name === 'rtcp') {
    const port = Number.parseInt(rest, 10);
    if (Number.isFinite(port)) current.rtcpPort = port;
  }
}

/** The remote audio stream as an RTP session needs it. */
export interface RemoteAudio {
  mediaIndex: number;
  address: string;
  port: number;
  rtcpPort: number;
  /** Payload types in the remote's order of preference. */
  payloadTypes: number[];
  /** Direction as the remote declared it (old-style c=0.0.0.0 hold reads as sendonly). */
  direction: MediaDirection;
  telephoneEventPt?: number;
}

/** The first audio m-line with a non-zero port. */
export function remoteAudioOf(parsed: ParsedSdp, sdp: string): RemoteAudio {
  const mediaIndex = parsed.media.findIndex((m) => m.media === 'audio' && m.port !== 0);
  const m = parsed.media[mediaIndex];
  if (!m) throw new SdpNegotiationError('no active audio stream (m=audio with a non-zero port) in SDP', sdp);
  const address = m.address ?? parsed.sessionAddress;
  if (!address) throw new SdpError('no c= connection address for the audio stream', sdp);
  let direction = m.direction ?? parsed.sessionDirection ?? 'sendrecv';
  // RFC 3264 §8.4: c=0.0.0.0 is the RFC 2543 way of saying "do not send to me".
  if (address === '0.0.0.0') direction = direction === 'sendrecv' || direction === 'sendonly' ? 'sendonly' : 'inactive';
  const payloadTypes = m.formats.map((f) => Number.parseInt(f, 10)).filter((pt) => Number.isFinite(pt));
  const telephoneEventPt = [...m.rtpmap].find(([, v]) => v.toLowerCase().startsWith('telephone-event/8000'))?.[0];
  const remote: RemoteAudio = { mediaIndex, address, port: m.port, rtcpPort: m.rtcpPort ?? m.port + 1, payloadTypes, direction };
  if (telephoneEventPt !== undefined && payloadTypes.includes(telephoneEventPt)) remote.telephoneEventPt = telephoneEventPt;
  return remote;
}

/** The G.711 law a payload type stands for in this m-line (static type or rtpmap name). */
export function codecOfFormat(rtpmap: ReadonlyMap<number, string>, pt: number): G711Codec | undefined {
  const mapped = rtpmap.get(pt)?.toUpperCase();
  if (mapped !== undefined) {
    if (mapped.startsWith('PCMU/8000')) return 'PCMU';
    if (mapped.startsWith('PCMA/8000')) return 'PCMA';
    return undefined;
  }
  if (pt === G711_PAYLOAD_TYPE.PCMU) return 'PCMU';
  if (pt === G711_PAYLOAD_TYPE.PCMA) return 'PCMA';
  return undefined;
}

function canSend(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}
function canReceive(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}
function directionOf(send: boolean, receive: boolean): MediaDirection {
  if (send && receive) return 'sendrecv';
  if (send) return 'sendonly';
  if (receive) return 'recvonly';
  return 'inactive';
}

/**
 * Our direction given what we want and what the remote declared (RFC 3264 §6.1): we send only
 * if the remote receives, we receive only if the remote sends. A sendonly offer is answered
 * recvonly, recvonly with sendonly, inactive with inactive; a sendrecv offer with our wish.
 */
export function negotiateDirection(local: MediaDirection, remote: MediaDirection): MediaDirection {
  return directionOf(canSend(local) && canReceive(remote), canReceive(local) && canSend(remote));
}

export interface LocalAudio {
  address: string;
  port: number;
  direction: MediaDirection;
  /** G.711 laws in our order of preference. */
  codecs: readonly G711Codec[];
  telephoneEventPt?: number;
  sessionId: string;
  sessionVersion: number;
}

/** The outcome of an offer/answer exchange, from our side. */
export interface NegotiatedAudio {
  codec: G711Codec;
  payloadType: number;
  telephoneEventPt?: number;
  /** What we do: send, receive, both or neither. */
  direction: MediaDirection;
  remote: RemoteAudio;
}

export function buildOffer(local: LocalAudio): string {
  const payloads = local.codecs.map((c) => ({ pt: G711_PAYLOAD_TYPE[c], name: c }));
  return render(local, [audioSection(local, local.port, payloads, local.telephoneEventPt, local.direction)]);
}

/**
 * Answer to `offerSdp`: the first offered codec we support, telephone-event under the offer's
 * payload type if offered, the direction of RFC 3264 §6.1, other m-lines rejected.
 */
export function answerOffer(offerSdp: string, local: LocalAudio): { sdp: string; negotiated: NegotiatedAudio } {
  const offer = parseSdp(offerSdp);
  const remote = remoteAudioOf(offer, offerSdp);
  const section = offer.media[remote.mediaIndex] as SdpMediaSection;
  const chosen = pickCodec(remote, section, local.codecs);
  if (!chosen) {
    throw new SdpNegotiationError(`no common codec: offered payload types ${remote.payloadTypes.join(' ')}, we support ${local.codecs.join(', ')}`, offerSdp);
  }
  const direction = negotiateDirection(local.direction, remote.direction);
  const sections = offer.media.map((m, i) =>
    i === remote.mediaIndex
      ? audioSection(local, local.port, [chosen], remote.telephoneEventPt, direction)
      : [`m=${m.media} 0 ${m.proto} ${m.formats.join(' ')}`],
  );
  const negotiated: NegotiatedAudio = { codec: chosen.name, payloadType: chosen.pt, direction, remote };
  if (remote.telephoneEventPt !== undefined) negotiated.telephoneEventPt = remote.telephoneEventPt;
  return { sdp: render(local, sections), negotiated };
}

/** Applies the remote answer to our offer: its first codec we support, directions combined. */
export function acceptAnswer(answerSdp: string, local: LocalAudio): NegotiatedAudio {
  const answer = parseSdp(answerSdp);
  const remote = remoteAudioOf(answer, answerSdp);
  const chosen = pickCodec(remote, answer.media[remote.mediaIndex] as SdpMediaSection, local.codecs);
  if (!chosen) throw new SdpNegotiationError(`answer has no codec we offered (${local.codecs.join(', ')})`, answerSdp);
  const negotiated: NegotiatedAudio = { codec: chosen.name, payloadType: chosen.pt, direction: negotiateDirection(local.direction, remote.direction), remote };
  if (remote.telephoneEventPt !== undefined) negotiated.telephoneEventPt = remote.telephoneEventPt;
  return negotiated;
}

function pickCodec(remote: RemoteAudio, section: SdpMediaSection, supported: readonly G711Codec[]): { pt: number; name: G711Codec } | undefined {
  for (const pt of remote.payloadTypes) {
    const name = codecOfFormat(section.rtpmap, pt);
    if (name && supported.includes(name)) return { pt, name };
  }
  return undefined;
}

function audioSection(local: LocalAudio, port: number, payloads: { pt: number; name: G711Codec }[], dtmfPt: number | undefined, direction: MediaDirection): string[] {
  const formats = payloads.map((p) => p.pt);
  if (dtmfPt !== undefined) formats.push(dtmfPt);
  const lines = [`m=audio ${port} RTP/AVP ${formats.join(' ')}`];
  for (const p of payloads) lines.push(`a=rtpmap:${p.pt} ${p.name}/8000`);
  if (dtmfPt !== undefined) lines.push(`a=rtpmap:${dtmfPt} telephone-event/8000`, `a=fmtp:${dtmfPt} 0-16`);
  lines.push('a=ptime:20', `a=${direction}`);
  return lines;
}

function render(local: LocalAudio, sections: string[][]): string {
  const lines = [
    'v=0',
    `o=sipbots ${local.sessionId} ${local.sessionVersion} IN ${sdpAddressType(local.address)} ${local.address}`,
    's=sipbots',
    `c=IN ${sdpAddressType(local.address)} ${local.address}`,
    't=0 0',
    ...sections.flat(),
  ];
  return lines.join('\r\n') + '\r\n';
}

/** RFC 8866 §5.7 addrtype of an address: IP6 for IPv6, else IP4. */
export function sdpAddressType(address: string): 'IP4' | 'IP6' {
  return isIPv6(address) ? 'IP6' : 'IP4';
}
