import type { Endpoint } from '../../sip/transport/types.js';
import type { LoadLink, LoadTransport } from './load-link.js';
import type { LegRole, RtpTap } from '../media/load-media.js';

/**
 * `--capture` on the load path. A tapped link copies every message it sends or receives into
 * a batch of wire records: the raw text, which link, which way, when. With --media the RTP of
 * the recorded calls joins the batch (what each leg sent, and what it accepted as its stream). Nothing is parsed here;
 * the batch goes to whoever writes the run folder (in a worker thread: posted to the main
 * thread, the only one that writes files). Without --capture no link is tapped, so the hot
 * path does not pay for any of this.
 */
export interface WireLinkInfo {
  /** Index of the link within its tap (records refer to it). */
  id: number;
  /** Names the link in messages.jsonl and the pcapng interface: `caller-0`, `w1-callee`. */
  party: string;
  protocol: LoadTransport;
  local: Endpoint;
  remote: Endpoint;
}

export interface WireRecord {
  link: number;
  out: boolean;
  /** Wall clock, epoch ms (fractional). */
  at: number;
  raw: string;
}

/** One RTP packet of a recorded media call (--capture with --media): sent by, or accepted as its stream by, `party`'s leg. */
export interface RtpWireRecord {
  party: string;
  out: boolean;
  at: number;
  local: Endpoint;
  remote: Endpoint;
  bytes: Uint8Array;
}

/** Links first seen since the previous batch, then the records; plain data for postMessage. */
export interface WireBatch {
  links: WireLinkInfo[];
  records: WireRecord[];
  rtp: RtpWireRecord[];
}

export type WireSink = (batch: WireBatch) => void;

export interface WireTapOptions {
  /** Prepended to every party name (`w1-` in worker 1), so that workers' links stay apart. */
  partyPrefix?: string;
  /** Deliver once this many records are waiting (default 512)… */
  maxRecords?: number;
  /** …or this long after the first waiting record (default 50 ms). */
  maxDelayMs?: number;
}

/** What the engine needs from a tap: wrap each link it opens, take the RTP of the calls it records. */
export interface LinkTap extends RtpTap {
  wrap(link: LoadLink, role: string, remote: Endpoint): LoadLink;
}

export class WireTap implements LinkTap {
  private newLinks: WireLinkInfo[] = [];
  private records: WireRecord[] = [];
  private rtpRecords: RtpWireRecord[] = [];
  private linkCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxRecords: number;
  private readonly maxDelayMs: number;
  /** performance.now() is monotonic and fractional; its origin turns it into wall-clock time. */
  private readonly origin = performance.timeOrigin;

  constructor(
    private readonly sink: WireSink,
    private readonly options: WireTapOptions = {},
  ) {
    this.maxRecords = options.maxRecords ?? 512;
    this.maxDelayMs = options.maxDelayMs ?? 50;
  }

  wrap(link: LoadLink, role: string, remote: Endpoint): LoadLink {
    const info: WireLinkInfo = { id: this.linkCount++, party: `${this.options.partyPrefix ?? ''}${role}`, protocol: link.protocol, local: link.local, remote };
    this.newLinks.push(info);
    return new TappedLink(link, this, info.id);
  }

  record(link: number, out: boolean, raw: string): void {
    this.records.push({ link, out, at: this.origin + performance.now(), raw });
    this.flushSoon();
  }

  /** A copy of the packet: the sender's buffer may be reused, and the batch may cross threads. */
  rtp(role: LegRole, out: boolean, local: Endpoint, remote: Endpoint, packet: Buffer): void {
    this.rtpRecords.push({ party: `${this.options.partyPrefix ?? ''}${role}`, out, at: this.origin + performance.now(), local, remote, bytes: Uint8Array.from(packet) });
    this.flushSoon();
  }

  private flushSoon(): void {
    if (this.records.length + this.rtpRecords.length >= this.maxRecords) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
  }

  /** Hands over whatever is waiting; call once more when the engine is done. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.records.length === 0 && this.rtpRecords.length === 0 && this.newLinks.length === 0) return;
    const batch: WireBatch = { links: this.newLinks, records: this.records, rtp: this.rtpRecords };
    this.newLinks = [];
    this.records = [];
    this.rtpRecords = [];
    this.sink(batch);
  }
}

class TappedLink implements LoadLink {
  constructor(
    private readonly inner: LoadLink,
    private readonly tap: WireTap,
    private readonly id: number,
  ) {}

  get protocol(): LoadTransport {
    return this.inner.protocol;
  }

  get local(): Endpoint {
    return this.inner.local;
  }

  get sendErrors(): number {
    return this.inner.sendErrors;
  }

  send(raw: string): void {
    this.tap.record(this.id, true, raw);
    this.inner.send(raw);
  }

  onMessage(handler: (raw: string) => void): void {
    this.inner.onMessage((raw) => {
      this.tap.record(this.id, false, raw);
      handler(raw);
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
