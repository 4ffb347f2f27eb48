import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { EventStream } from '../events/event-stream.js';
import type { SipMessageEvent } from '../events/types.js';
import { encodeHep3, hepPacketOfSip, type HepOptions } from './hep-encoder.js';
import { ReceiverCopies } from './receiver-copies.js';

export interface HepTarget {
  host: string;
  port: number;
}

export class HepTargetError extends Error {
  constructor(readonly value: string) {
    super(`--hep ${value} is not udp:HOST:PORT (hint: --hep udp:127.0.0.1:9060 for a local Homer or sngrep -L)`);
    this.name = 'HepTargetError';
  }
}

/** Parses `udp:HOST:PORT` (`udp:[::1]:9060` for IPv6). Only UDP: HEP over TCP needs framing we do not write. */
export function parseHepTarget(value: string): HepTarget {
  const match = /^udp:(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) throw new HepTargetError(value);
  return { host: match[1] ?? match[2]!, port };
}

/**
 * Sends every SIP message of the event stream to a HEP collector (Homer, sngrep -L) as it
 * happens, once per message as on the wire: the sender's copy, and a receiver's copy only
 * when nobody we record sent it (an external server). UDP send errors are kept and raised by
 * `close()`; a collector that is down must not stop the run.
 */
export class HepWriter {
  private readonly socket: Socket;
  private readonly copies = new ReceiverCopies();
  private readonly unsubscribe: () => void;
  private pending = 0;
  private drained: (() => void) | undefined;
  private failure: Error | undefined;
  sent = 0;

  constructor(
    private readonly target: HepTarget,
    stream: EventStream,
    private readonly options: HepOptions = {},
  ) {
    this.socket = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
    this.socket.on('error', (error) => this.fail(error));
    this.unsubscribe = stream.subscribe((event) => {
      if (event.type === 'sip') this.send(event);
    });
  }

  private send(event: SipMessageEvent): void {
    if (this.failure) return;
    const packet = hepPacketOfSip(event);
    const key = `${packet.source.address}:${packet.source.port}>${packet.destination.address}:${packet.destination.port}|${event.raw}`;
    if (event.direction === 'out') this.copies.sentPacket(key);
    else if (this.copies.isCopy(key)) return;
    let bytes: Buffer;
    try {
      bytes = encodeHep3(packet, this.options);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    this.pending++;
    this.socket.send(bytes, this.target.port, this.target.host, (error) => {
      this.pending--;
      if (error) this.fail(error);
      else this.sent++;
      if (this.pending === 0) this.drained?.();
    });
  }

  private fail(error: Error): void {
    this.failure ??= new Error(`sending HEP to ${this.target.host}:${this.target.port} failed: ${error.message}`, { cause: error });
  }

  /** Stops listening, waits for the datagrams already handed to the socket, closes it. */
  async close(): Promise<void> {
    this.unsubscribe();
    if (this.pending > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    if (this.failure) throw this.failure;
  }
}
