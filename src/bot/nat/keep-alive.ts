import type { TransportProtocol } from '../../sip/transport/types.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';

/**
 * What a keep-alive carries. UDP: a bare CRLF, as PJSIP sends (`keep_alive_data`); servers drop
 * it (Kamailio, our UdpSipSocket) but the packet refreshes the NAT's UDP mapping. Streams: the
 * RFC 5626 §4.4.1 double-CRLF ping, which the server answers with a single-CRLF pong.
 */
export const UDP_KEEP_ALIVE = '\r\n';
export const STREAM_PING = '\r\n\r\n';

export function keepAlivePayload(protocol: TransportProtocol): string {
  return protocol === 'udp' ? UDP_KEEP_ALIVE : STREAM_PING;
}

export interface KeepAliveOptions {
  protocol: TransportProtocol;
  /** Seconds between keep-alives; 0 disables them. */
  intervalSeconds: number;
  /** Sends one keep-alive to the server (below the SIP layers: it is not a message). */
  send: (payload: string) => Promise<unknown>;
  clock: Clock;
  logger: Logger;
}

/**
 * Sends a keep-alive every `intervalSeconds` while started. A NAT forgets an idle UDP mapping
 * after its timeout (Linux conntrack: 30 s for an unreplied flow, 120 s once both directions
 * have been seen); without traffic from inside, requests from the proxy (an incoming INVITE)
 * meet a closed door. The interval must be shorter than the NAT's timeout: 25 s by default,
 * under the shortest common UDP timeout of 30 s.
 */
export class KeepAlive {
  private timer: TimerHandle | undefined;
  private count = 0;
  private failures = 0;
  private running = false;

  constructor(private readonly options: KeepAliveOptions) {}

  get sent(): number {
    return this.count;
  }

  get failed(): number {
    return this.failures;
  }

  start(): void {
    if (this.running || this.options.intervalSeconds <= 0) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimeout(() => void this.fire(), this.options.intervalSeconds * 1000);
  }

  private async fire(): Promise<void> {
    if (!this.running) return;
    const payload = keepAlivePayload(this.options.protocol);
    try {
      await this.options.send(payload);
      this.count++;
    } catch (error) {
      // A keep-alive that cannot be sent now may succeed next time (a stream reconnects);
      // the failure is reported, not fatal: the next REGISTER refresh shows whether we are reachable.
      this.failures++;
      this.options.logger.warn({ err: error, protocol: this.options.protocol }, 'keep-alive could not be sent');
    }
    if (this.running) this.schedule();
  }
}
