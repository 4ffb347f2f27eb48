import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { type Endpoint, type SipSocket, type TlsMaterial } from '../../sip/transport/types.js';
import { literalFirstLookup } from '../../util/literal-first-lookup.js';

export type LoadTransport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';
export const LOAD_TRANSPORTS: readonly LoadTransport[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

/**
 * What a TLS or WSS client trusts: `ca` (PEM) or the system's CAs, verification on unless
 * `rejectUnauthorized` is false (`--insecure`), `servername` when the proxy was named by host.
 */
export type LoadTlsOptions = Pick<TlsMaterial, 'ca' | 'rejectUnauthorized' | 'servername'>;

/**
 * One socket of a load engine, shared by many bots, talking to one proxy. Everything a load UA
 * sends goes to the proxy (an outbound proxy, RFC 3261 §8.1.2), so `send` takes no address.
 * Sends are fire-and-forget: failures are counted, never awaited per message.
 */
export interface LoadLink {
  readonly protocol: LoadTransport;
  /** The local address written into Via and Contact. */
  readonly local: Endpoint;
  send(raw: string): void;
  onMessage(handler: (raw: string) => void): void;
  /** Sends that the OS or the connection refused. */
  readonly sendErrors: number;
  close(): Promise<void>;
}

/** Opens a link; a TLS/WSS handshake the certificate fails rejects with the transport's TransportError. */
export async function openLoadLink(protocol: LoadTransport, proxy: Endpoint, bindAddress: string, tls?: LoadTlsOptions): Promise<LoadLink> {
  if (protocol === 'udp') return UdpLoadLink.open(proxy, bindAddress);
  return StreamLoadLink.open(protocol, proxy, bindAddress, tls);
}

/**
 * UDP straight on dgram, connected to the proxy: no per-send DNS lookup or address object,
 * no Promise or Flow per datagram (the SipSocket layer allocates both, which is right for the
 * lab path and measurable at tens of thousands of datagrams a second). Read as latin1: SIP
 * headers are ASCII, and latin1 decoding is a straight copy. Bigger kernel buffers absorb the
 * bursts that otherwise overflow at thousands of calls a second.
 */
class UdpLoadLink implements LoadLink {
  readonly protocol = 'udp' as const;
  sendErrors = 0;
  private handler: (raw: string) => void = () => undefined;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly local: Endpoint,
  ) {
    socket.on('message', (datagram) => {
      // RFC 5626 §4.4.1 keep-alives (CRLF) carry no message.
      if (datagram.length <= 4) return;
      this.handler(datagram.toString('latin1'));
    });
  }

  static async open(proxy: Endpoint, bindAddress: string): Promise<UdpLoadLink> {
    const socket = dgram.createSocket({ type: isIPv6(bindAddress) ? 'udp6' : 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20, lookup: literalFirstLookup });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, bindAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // dgram hands a failed connect (an address of the other family, EINVAL) to this callback,
    // not to 'error': resolving regardless would leave a socket whose every send throws.
    await new Promise<void>((resolve, reject) => {
      socket.connect(proxy.port, proxy.address, (error?: Error) => (error ? reject(error) : resolve()));
    }).catch((error: unknown) => {
      socket.close();
      throw error;
    });
    // After connect, ICMP port-unreachable surfaces as a socket error: count it, do not crash.
    const link = new UdpLoadLink(socket, { address: socket.address().address, port: socket.address().port });
    socket.on('error', () => link.sendErrors++);
    return link;
  }

  /** No callback: a loopback send completes synchronously, and a callback would cost a nextTick per datagram. Errors reach the 'error' listener. */
  send(raw: string): void {
    this.socket.send(raw);
  }

  onMessage(handler: (raw: string) => void): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/**
 * TCP, TLS, WS and WSS reuse the SipSocket layer (framing, the TLS handshake and certificate
 * check, one connection to the proxy, replies on it): the lab's client code, not a second copy.
 */
class StreamLoadLink implements LoadLink {
  sendErrors = 0;
  private handler: (raw: string) => void = () => undefined;
  private readonly onError = (): void => {
    this.sendErrors++;
  };

  private constructor(
    readonly protocol: LoadTransport,
    private readonly socket: SipSocket,
    private readonly proxy: Endpoint,
    readonly local: Endpoint,
  ) {
    socket.onMessage((raw) => this.handler(raw));
  }

  static async open(protocol: Exclude<LoadTransport, 'udp'>, proxy: Endpoint, bindAddress: string, tls?: LoadTlsOptions): Promise<StreamLoadLink> {
    const secure = protocol === 'tls' || protocol === 'wss';
    // The stream and WebSocket sockets (ws, tls, the logger) are loaded only for these transports: a UDP load stays lean.
    const { createSipSocket } = await import('../../sip/transport/create-sip-socket.js');
    const socket = createSipSocket({ protocol, listen: false, bindAddress, ...(secure && tls ? { tls } : {}) });
    await socket.open();
    // A CRLF keep-alive (RFC 5626 §3.5.1) opens the connection and tells us its local port.
    try {
      const flow = await socket.send('\r\n\r\n', { remote: proxy });
      return new StreamLoadLink(protocol, socket, proxy, flow.local);
    } catch (error) {
      // A refused connection or failed handshake: release the socket, then report why.
      await socket.close();
      throw error;
    }
  }

  send(raw: string): void {
    this.socket.send(raw, { remote: this.proxy }).catch(this.onError);
  }

  onMessage(handler: (raw: string) => void): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    return this.socket.close();
  }
}
