import type dgram from 'node:dgram';
import { bindPortPair, closeSocket, MediaPortError } from '../../media/udp-port-pair.js';

/**
 * The RTP/RTCP port pairs of one load engine (RFC 3550 §11: RTP even, RTCP the odd port above).
 * Binding and closing two sockets per call leg would cost two syscalls each way per leg and,
 * at hundreds of calls a second, churn through the ephemeral range; instead pairs are bound
 * once and handed out again when a call ends:
 *
 *   acquire ──▶ the longest-free pair (FIFO) ─┬─ none free, fewer than `maxPairs` bound ──▶ bind a new pair
 *                                             └─ none free, `maxPairs` bound ──▶ MediaPortError (exhausted)
 *   release ──▶ back of the free queue (its last SSRC kept, so the next leg ignores late packets)
 *
 * One socket listener per pair, bound once, delivers to whichever leg owns the pair now.
 */
export interface PooledPair {
  readonly port: number;
  readonly rtp: dgram.Socket;
  readonly rtcp: dgram.Socket;
  /** The SSRC the previous owner heard: its late packets are not the new call's. */
  lastSsrc: number | undefined;
  /** The current owner's receive function (`from`: the packet's source, for --capture). */
  onRtp: ((msg: Buffer, from: dgram.RemoteInfo) => void) | undefined;
  /** Sends the OS refused (ICMP unreachable after the far end closed, buffers full). */
  sendErrors: number;
}

export interface PortPoolOptions {
  address: string;
  /** `--rtp-ports LOW-HIGH`: pairs come from this range only. */
  range?: readonly [number, number];
  /** At most this many pairs bound at once. */
  maxPairs: number;
}

export class RtpPortPool {
  private readonly free: PooledPair[] = [];
  private readonly all: PooledPair[] = [];
  private binding = 0;
  private inUse = 0;
  private closed = false;

  constructor(private readonly options: PortPoolOptions) {}

  /** Pairs handed out and not yet released. */
  get busy(): number {
    return this.inUse;
  }

  /** Pairs bound so far (free or busy). */
  get size(): number {
    return this.all.length;
  }

  /** A pair for one call leg; rejects with MediaPortError when every pair is in use or none can be bound. */
  async acquire(): Promise<PooledPair> {
    if (this.closed) throw new MediaPortError('the media port pool is closed');
    const reused = this.free.shift();
    if (reused) {
      this.inUse++;
      return reused;
    }
    if (this.all.length + this.binding >= this.options.maxPairs) throw new MediaPortError(this.exhausted());
    this.binding++;
    try {
      const { rtp, rtcp, port } = await bindPortPair({ address: this.options.address, ...(this.options.range ? { portRange: this.options.range } : {}) });
      const pair: PooledPair = { port, rtp, rtcp, lastSsrc: undefined, onRtp: undefined, sendErrors: 0 };
      rtp.on('message', (msg, from) => pair.onRtp?.(msg, from));
      // RTCP from the far end (rtpengine sends its own) is read and dropped: the verdict is the RTP's.
      rtcp.on('message', () => undefined);
      for (const socket of [rtp, rtcp]) socket.on('error', () => pair.sendErrors++);
      if (this.closed) {
        await Promise.all([closeSocket(rtp), closeSocket(rtcp)]);
        throw new MediaPortError('the media port pool is closed');
      }
      this.all.push(pair);
      this.inUse++;
      return pair;
    } catch (error) {
      // Another process holds the rest of the range: say what the pool has and what was asked.
      if (error instanceof MediaPortError && !this.closed) throw new MediaPortError(`${error.message} (${this.inUse} pairs in use by this run)`, { cause: error });
      throw error;
    } finally {
      this.binding--;
    }
  }

  release(pair: PooledPair): void {
    pair.onRtp = undefined;
    this.inUse--;
    if (!this.closed) this.free.push(pair);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.free.length = 0;
    await Promise.all(this.all.flatMap((pair) => [closeSocket(pair.rtp), closeSocket(pair.rtcp)]));
  }

  private exhausted(): string {
    const range = this.options.range ? ` of --rtp-ports ${this.options.range[0]}-${this.options.range[1]}` : '';
    return `all ${this.options.maxPairs} RTP/RTCP port pairs${range} on ${this.options.address} are in use; widen --rtp-ports or lower --concurrency`;
  }
}
