import { isIP } from 'node:net';
import { sharedPacer, type Pacer } from '../../media/pacer.js';
import { MediaPortError } from '../../media/udp-port-pair.js';
import type { Endpoint } from '../../sip/transport/types.js';
import { loadSdp, sdpBody } from '../engine/templates.js';
import type { MediaStats, StreamResult } from '../results/media-stats.js';
import { tonesOf } from './call-tones.js';
import { MediaLeg, type LegWire } from './media-leg.js';
import { RtpPortPool } from './port-pool.js';

/** `--media rtp` as the engine gets it: plain data, posted to workers. */
export interface LoadMediaOptions {
  /** `echo`: the far end sends back what it hears (SIPp -rtp_echo), so each caller must hear its own tone. */
  kind: 'rtp' | 'echo';
  /** `--rtp-ports LOW-HIGH` (a worker gets its own slice). */
  portRange?: [number, number];
  /** Port pairs this engine may hold at once (caller and callee legs both take one). */
  maxPairs: number;
  /** `--capture-rtp N`: with --capture, the RTP of this engine's first N calls only (default: every call's). */
  captureCalls?: number;
}

/** --capture: where a recorded call's RTP goes (the engine's wire tap). */
export interface RtpTap {
  rtp(role: LegRole, out: boolean, local: Endpoint, remote: Endpoint, packet: Buffer): void;
}

export type LegRole = 'caller' | 'callee';

/** Even RTP ports of a range, each with its odd RTCP neighbour inside it too. */
export function pairsIn([low, high]: readonly [number, number]): number {
  const first = low % 2 === 0 ? low : low + 1;
  return Math.max(0, Math.floor((high - first + 1) / 2));
}

/** Worker `index` of `count`: its own block of the range's pairs (no two threads bind the same port), its share of the cap. */
export function mediaShare(media: LoadMediaOptions, index: number, count: number): LoadMediaOptions {
  const share = (total: number): number => Math.floor(total / count) + (index < total % count ? 1 : 0);
  const capture = media.captureCalls !== undefined ? { captureCalls: share(media.captureCalls) } : {};
  if (!media.portRange) return { ...media, ...capture, maxPairs: Math.max(1, share(media.maxPairs)) };
  const [low] = media.portRange;
  const first = low % 2 === 0 ? low : low + 1;
  const total = pairsIn(media.portRange);
  const start = index * Math.floor(total / count) + Math.min(index, total % count);
  const size = share(total);
  return { ...media, ...capture, portRange: [first + 2 * start, first + 2 * (start + size) - 1], maxPairs: Math.max(1, Math.min(size, share(media.maxPairs))) };
}

/**
 * Where the other side wants RTP: the session or media `c=` address and the first `m=audio`
 * port of an SDP body (RFC 4566 §5.7, §5.14). Port 0 (a declined stream) and an unspecified
 * address (0.0.0.0, the old hold, RFC 3264 §8.4) give undefined: nothing to send to.
 */
export function audioTarget(raw: string, bodyStart: number): Endpoint | undefined {
  let session: string | undefined;
  let media: string | undefined;
  let port: number | undefined;
  let inAudio = false;
  for (const line of raw.slice(bodyStart).split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      // The first audio stream only; a c= inside its section overrides the session's.
      if (port !== undefined) break;
      const fields = line.trim().split(/\s+/);
      inAudio = fields[0] === 'm=audio';
      if (inAudio) port = Number(fields[1]);
    } else if (line.startsWith('c=')) {
      const address = line.trim().split(/\s+/)[2]?.split('/')[0];
      if (inAudio) media = address;
      else if (port === undefined) session = address;
    }
  }
  const address = media ?? session;
  if (address === undefined || port === undefined || !(port > 0 && port < 65536)) return undefined;
  if (isIP(address) === 0 || address === '0.0.0.0' || address === '::') return undefined;
  return { address, port };
}

/**
 * The media plane of one load engine: the port pool, the shared pacer, and the pairing of a
 * call's two sides into one verdict. Each side's result waits for the other's (both sides of a
 * call live in the same engine: callers call callees of their own share); with --callee-uri
 * the caller's side is the whole verdict.
 */
export class LoadMedia {
  private readonly pool: RtpPortPool;
  private readonly pacer: Pacer;
  /** Legs holding a pair, with the call and side they belong to. */
  private readonly legs = new Map<MediaLeg, { callId: string; role: LegRole }>();
  /** A side's "heard the other" waiting for the other side, by Call-ID. */
  private readonly halves = new Map<string, { role: LegRole; heard: boolean }>();

  private readonly echo: boolean;
  /** Call-IDs whose RTP is recorded (at most captureCalls of them, the first to open a leg). */
  private readonly captured = new Set<string>();
  private readonly captureCalls: number;

  constructor(
    options: LoadMediaOptions,
    private readonly host: string,
    private readonly stats: MediaStats,
    /** Our own callees answer (no --callee-uri): every call has two sides to judge. */
    private readonly bothSides: boolean,
    private readonly random: () => number,
    private readonly now: () => number,
    pacer?: Pacer,
    /** --capture: RTP of the first `captureCalls` calls is copied here. */
    private readonly tap?: RtpTap,
  ) {
    this.pool = new RtpPortPool({ address: host, ...(options.portRange ? { range: options.portRange } : {}), maxPairs: options.maxPairs });
    this.pacer = pacer ?? sharedPacer();
    this.echo = options.kind === 'echo';
    this.captureCalls = tap ? (options.captureCalls ?? Infinity) : 0;
  }

  /** A leg with its own port pair; rejects with MediaPortError (counted) when none is free. */
  async open(callId: string, role: LegRole): Promise<MediaLeg> {
    try {
      const pair = await this.pool.acquire();
      const tones = tonesOf(callId);
      const [sendHz, otherHz] = role === 'caller' ? [tones.caller, tones.callee] : [tones.callee, tones.caller];
      const expectHz = this.echo ? sendHz : otherHz;
      const leg = new MediaLeg(pair, sendHz, expectHz, this.pacer, this.random, this.now, this.stats.histograms.send_jitter);
      if (this.records(callId)) leg.wire = this.wireFor(leg, role);
      this.legs.set(leg, { callId, role });
      return leg;
    } catch (error) {
      if (error instanceof MediaPortError) this.stats.counters.portsExhausted++;
      throw error;
    }
  }

  /** Whether this call's RTP goes to the capture: the first `captureCalls` Call-IDs seen (both sides of a call share theirs). */
  private records(callId: string): boolean {
    if (this.captureCalls === Infinity || this.captured.has(callId)) return true;
    if (this.captured.size >= this.captureCalls) return false;
    this.captured.add(callId);
    return true;
  }

  private wireFor(leg: MediaLeg, role: LegRole): LegWire {
    const tap = this.tap!;
    const local = { address: this.host, port: leg.port };
    return (out, packet, far) => tap.rtp(role, out, local, { address: far.address, port: far.port }, packet);
  }

  /** The `[body]` of an offer or answer with this leg's port. */
  sdp(leg: MediaLeg, sessionName: string): string {
    return sdpBody(loadSdp(this.host, sessionName, leg.port));
  }

  /**
   * The leg's side of the call is over: stop it, give its pair back, and count it when media
   * ran (an unanswered call's leg is only released). Idempotent.
   */
  finish(leg: MediaLeg): void {
    const owner = this.legs.get(leg);
    if (!owner) return;
    this.legs.delete(leg);
    const ran = leg.running;
    const result = leg.stop();
    this.pool.release(leg.pair);
    if (ran) this.judge(owner.callId, owner.role, result);
  }

  private judge(callId: string, role: LegRole, result: StreamResult): void {
    this.stats.addStream(result);
    const heard = result.heard === 'expected';
    if (!this.bothSides) return this.stats.addCall([heard]);
    const other = this.halves.get(callId);
    if (other === undefined || other.role === role) {
      this.halves.set(callId, { role, heard });
      return;
    }
    this.halves.delete(callId);
    this.stats.addCall([other.heard, heard]);
  }

  /**
   * End of the run: legs still going are judged as they are (an interrupted call), and a call
   * whose other side never started media counts as not heard there (our callee answered, but
   * the caller never saw that 200: its call failed, and nobody heard the callee).
   */
  async close(): Promise<void> {
    for (const leg of [...this.legs.keys()]) this.finish(leg);
    for (const half of this.halves.values()) this.stats.addCall([half.heard, false]);
    this.halves.clear();
    await this.pool.close();
  }
}
