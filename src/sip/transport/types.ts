/**
 * The socket layer every SIP party of ours stands on: bots (through the sip.js adapter), the
 * embedded proxy, the relay and the load generator. One `SipSocket` is one local transport
 * endpoint; it frames messages (datagrams, Content-Length on streams, one per WebSocket frame)
 * and hands whole messages up. It neither parses nor retransmits: that is the layers above.
 */
export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export const TRANSPORT_PROTOCOLS: readonly TransportProtocol[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

export interface Endpoint {
  address: string;
  port: number;
}

/**
 * A path to one remote party: for UDP the remote address; for stream transports one
 * connection. Replies go back on the flow a request came in on (RFC 3261 §18.2.2, RFC 5626).
 */
export interface Flow {
  /** Stable id: `udp:127.0.0.1:5060` for datagrams, `tcp#3` style for a connection. */
  id: string;
  protocol: TransportProtocol;
  local: Endpoint;
  remote: Endpoint;
}

export interface TlsMaterial {
  /** PEM certificate and key, for listening sockets (tls, wss). */
  cert?: string;
  key?: string;
  /** PEM CA to trust as a client; default: the system's. */
  ca?: string;
  /** Verify the server certificate as a client (default true; `--insecure` sets false). */
  rejectUnauthorized?: boolean;
  /** SNI / name checked against the certificate. */
  servername?: string;
}

export interface SipSocketOptions {
  protocol: TransportProtocol;
  /** Address to bind; 127.0.0.1 unless told otherwise. */
  bindAddress?: string;
  /** Port to bind; 0 (a free port) by default. */
  port?: number;
  /** Stream transports: accept incoming connections (proxy: yes; a bot over WS: no). */
  listen?: boolean;
  tls?: TlsMaterial;
  /** A stream peer whose message grows past this is cut off (default 65,535 bytes): the per-connection buffer cap. */
  maxMessageBytes?: number;
  /**
   * TCP/TLS: a connection holding an incomplete message this long, or accepted and still without
   * a first complete message, is closed (slowloris). Idle flows between messages stay open:
   * RFC 5626 keep-alive CRLFs and quiet registered phones are fine. Default 30 s.
   */
  idleTimeoutMs?: number;
  /** Listening TCP/TLS/WS: connections open at once; the excess is refused. Default 1,000. */
  maxConnections?: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CONNECTIONS = 1_000;

export type MessageHandler = (raw: string, flow: Flow) => void;
export type FlowClosedHandler = (flow: Flow, error?: Error) => void;

export interface SipSocket {
  readonly protocol: TransportProtocol;
  /** The bound local endpoint; valid after `open()` resolved. */
  readonly local: Endpoint;
  open(): Promise<Endpoint>;
  /**
   * Sends one message. `flowId` picks an existing flow (a connection for stream transports);
   * otherwise `remote` is used, reusing an open connection to it or opening one.
   * Resolves with the flow it went out on; rejects with a TransportError.
   * `onWrite` is called synchronously when the bytes are handed to the socket: over TLS and
   * WebSocket the write callback (and so the resolution) can come after the peer's reply was
   * already read, so whoever records the wire order must record it there.
   */
  send(raw: string, target: SendTarget, onWrite?: (flow: Flow) => void): Promise<Flow>;
  onMessage(handler: MessageHandler): void;
  onFlowClosed(handler: FlowClosedHandler): void;
  close(): Promise<void>;
}

/**
 * Where a message goes: an open flow, or an address. `stateless` marks a response sent the way
 * Kamailio's sl module sends one (RFC 3261 §16.11 / §8.2): no server transaction keeps it or
 * re-sends it; only the UDP reliability layer reads the flag.
 */
export interface SendTarget {
  flowId?: string;
  remote?: Endpoint;
  stateless?: boolean;
}

/**
 * A socket-level failure: connection refused, TLS handshake failed, flow gone, cut off. Every
 * send and connect failure of src/sip/transport rejects with one, the system error as `cause`.
 */
export class TransportError extends Error {
  /** The address that could not be bound or listened on, when that is what failed. */
  readonly local: Endpoint | undefined;
  constructor(
    message: string,
    readonly protocol: TransportProtocol,
    readonly remote?: Endpoint,
    options?: { cause?: unknown; local?: Endpoint },
  ) {
    super(message, options);
    this.name = 'TransportError';
    this.local = options?.local;
  }
}

/**
 * Node's errno codes for a peer that cannot be reached: connect(2) refused, reset or timed out,
 * no route, a connected datagram socket's ICMP port unreachable (ECONNREFUSED).
 */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT']);

/**
 * Did the transport fail to send or connect? A TransportError (what src/sip/transport rejects
 * with), or a system error Node raised with one of the codes above. Decided by type and code,
 * never by the words of a message (a config error may well mention a "connection").
 */
export function isTransportFailure(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  return code !== undefined && UNREACHABLE_CODES.has(code);
}

export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.address.includes(':') ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}

/** Via and Contact spell transports in upper case; sip.js's `protocol` likewise. */
export function viaTransport(protocol: TransportProtocol): string {
  return protocol.toUpperCase();
}

export function isReliable(protocol: TransportProtocol): boolean {
  return protocol !== 'udp';
}
