import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { silentLogger } from '../../util/logger.js';
import {
  describeConnectFailure,
  listeningTlsMaterial,
  messageOf,
  outgoingLocalAddress,
  remoteKey,
  socketEndpoint,
} from './socket-helpers.js';
import { DEFAULT_MAX_MESSAGE_BYTES, FramingError, StreamFramer } from './stream-framer.js';
import {
  formatEndpoint,
  TransportError,
  type Endpoint,
  type Flow,
  type FlowClosedHandler,
  type MessageHandler,
  type SipSocket,
  type SipSocketOptions,
} from './types.js';

export type StreamProtocol = 'tcp' | 'tls';

/** How long an outgoing connection (TCP connect plus TLS handshake) may take. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long close() lets a connection flush and say goodbye before destroying it. */
const CLOSE_GRACE_MS = 1_000;
const PONG = '\r\n';

interface Connection {
  flow: Flow;
  socket: net.Socket;
  framer: StreamFramer;
  /** Keys in `byRemote` that lead to this connection. */
  keys: string[];
  error?: TransportError;
}

/**
 * SIP over TCP or TLS (RFC 3261 §18, §26.2). Each connection is a flow (`tcp#1`, `tls#2`);
 * messages are framed by Content-Length. A connection to a remote is reused whichever side
 * opened it (RFC 3261 §18.2.2 sends responses back on the connection of the request).
 *
 * Without `listen` the socket only connects out: `local` is then the bind address with port 0,
 * and each Flow's `local` is its connection's real local address and (ephemeral) port.
 * Outgoing connections bind to `bindAddress` only when one was given explicitly, so that the
 * loopback default does not stop a bot from reaching a proxy on another host.
 */
export class StreamSipSocket implements SipSocket {
  private localEndpoint: Endpoint;
  private server?: net.Server;
  private state: 'new' | 'opening' | 'open' | 'closed' = 'new';
  private closing?: Promise<void>;
  private nextFlowNumber = 1;
  private readonly connections = new Map<string, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  private readonly dialing = new Map<string, Promise<Connection>>();
  private readonly dialingSockets = new Set<net.Socket>();
  /** Every accepted TCP socket, including TLS ones still in their handshake. */
  private readonly acceptedSockets = new Set<net.Socket>();
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly flowClosedHandlers: FlowClosedHandler[] = [];

  constructor(
    readonly protocol: StreamProtocol,
    private readonly options: SipSocketOptions,
    private readonly logger: Logger = silentLogger,
  ) {
    this.localEndpoint = { address: options.bindAddress ?? '127.0.0.1', port: 0 };
  }

  get local(): Endpoint {
    return this.localEndpoint;
  }

  async open(): Promise<Endpoint> {
    if (this.state !== 'new') throw this.error(`socket cannot be opened: it is ${this.state}`);
    this.state = 'opening';
    if (this.options.listen) {
      try {
        await this.listen();
      } catch (error) {
        this.state = 'closed';
        throw error;
      }
    }
    this.state = 'open';
    return this.localEndpoint;
  }

  async send(raw: string, target: { flowId?: string; remote?: Endpoint }, onWrite?: (flow: Flow) => void): Promise<Flow> {
    if (this.state !== 'open') throw this.error(`socket is ${this.state}, cannot send`, target.remote);
    const connection = await this.connectionFor(target);
    await new Promise<void>((resolve, reject) => {
      connection.socket.write(raw, (error) => {
        if (!error) return resolve();
        const where = `${formatEndpoint(connection.flow.remote)} on ${connection.flow.id}`;
        reject(this.error(`write to ${where} failed: ${error.message}`, connection.flow.remote, error));
      });
      onWrite?.(connection.flow);
    });
    return connection.flow;
  }

  onMessage(handler: MessageHandler): void {
    this.messageHandlers.push(handler);
  }

  onFlowClosed(handler: FlowClosedHandler): void {
    this.flowClosedHandlers.push(handler);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async listen(): Promise<void> {
    const server = this.protocol === 'tls' ? tls.createServer(listeningTlsMaterial('tls', this.options)) : net.createServer();
    server.on('connection', (socket: net.Socket) => {
      this.acceptedSockets.add(socket);
      socket.once('close', () => this.acceptedSockets.delete(socket));
    });
    if (this.protocol === 'tls') {
      server.on('secureConnection', (socket: tls.TLSSocket) => this.adopt(socket));
      // A failed handshake never becomes a flow; the layers above cannot act on it, an operator can.
      server.on('tlsClientError', (error, socket) =>
        this.logger.warn({ err: error, remote: `${socket.remoteAddress}:${socket.remotePort}` }, 'tls handshake from client failed'),
      );
    } else {
      server.on('connection', (socket: net.Socket) => this.adopt(socket));
    }
    const wanted: Endpoint = { address: this.localEndpoint.address, port: this.options.port ?? 0 };
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: wanted.address, port: wanted.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      throw this.error(`cannot listen on ${formatEndpoint(wanted)}: ${messageOf(error)}`, undefined, error);
    }
    server.on('error', (error) => this.logger.error({ err: error, local: this.localEndpoint }, `${this.protocol} server error`));
    const bound = server.address() as net.AddressInfo;
    this.localEndpoint = { address: bound.address, port: bound.port };
    this.server = server;
  }

  private async connectionFor(target: { flowId?: string; remote?: Endpoint }): Promise<Connection> {
    if (target.flowId !== undefined) {
      const connection = this.connections.get(target.flowId);
      if (connection && !connection.socket.destroyed) return connection;
      if (!target.remote) throw this.error(`flow ${target.flowId} is closed and no remote was given to reconnect to`);
    }
    const remote = target.remote;
    if (!remote) throw this.error('send needs a flowId or a remote endpoint');
    const key = remoteKey(remote);
    const existing = this.byRemote.get(key);
    if (existing && !existing.socket.destroyed) return existing;
    // Concurrent sends to a new remote share one connection attempt.
    let dial = this.dialing.get(key);
    if (!dial) {
      dial = this.dial(remote).finally(() => this.dialing.delete(key));
      this.dialing.set(key, dial);
    }
    return dial;
  }

  private dial(remote: Endpoint): Promise<Connection> {
    const where = formatEndpoint(remote);
    const local = outgoingLocalAddress(this.options.bindAddress, remote.address);
    const common = { host: remote.address, port: remote.port, localAddress: local, family: local ? net.isIP(local) : 0 };
    const socket =
      this.protocol === 'tls'
        ? tls.connect({
            ...common,
            ca: this.options.tls?.ca,
            servername: this.options.tls?.servername,
            rejectUnauthorized: this.options.tls?.rejectUnauthorized ?? true,
          })
        : net.connect(common);
    this.dialingSockets.add(socket);
    socket.setTimeout(CONNECT_TIMEOUT_MS);
    return new Promise<Connection>((resolve, reject) => {
      const fail = (error: TransportError): void => {
        cleanup();
        socket.destroy();
        reject(error);
      };
      const onError = (error: Error): void => fail(this.error(describeConnectFailure(where, error), remote, error));
      const onTimeout = (): void => fail(this.error(`connection to ${where} timed out after ${CONNECT_TIMEOUT_MS} ms`, remote));
      const onClose = (): void => fail(this.error(`connection to ${where} closed before it was established`, remote));
      const onReady = (): void => {
        cleanup();
        socket.setTimeout(0);
        if (this.state !== 'open') return fail(this.error(`socket closed while connecting to ${where}`, remote));
        const connection = this.adopt(socket);
        if (!connection) return fail(this.error(`connection to ${where} closed before it was established`, remote));
        this.rememberRemote(connection, remote);
        resolve(connection);
      };
      const ready = this.protocol === 'tls' ? 'secureConnect' : 'connect';
      const cleanup = (): void => {
        this.dialingSockets.delete(socket);
        socket.off('error', onError).off('timeout', onTimeout).off('close', onClose).off(ready, onReady);
      };
      socket.once('error', onError).once('timeout', onTimeout).once('close', onClose).once(ready, onReady);
    });
  }

  /** Turns an established socket (accepted or dialled) into a flow. */
  private adopt(socket: net.Socket): Connection | undefined {
    const remote = socketEndpoint(socket.remoteAddress, socket.remotePort);
    const local = socketEndpoint(socket.localAddress, socket.localPort);
    if (!remote || !local || this.state === 'closed') {
      // The peer went away between accept and now, or we are closing: there is no flow to report.
      socket.destroy();
      return undefined;
    }
    socket.setNoDelay(true); // SIP messages are small and latency-sensitive; Nagle only delays them.
    const flow: Flow = { id: `${this.protocol}#${this.nextFlowNumber++}`, protocol: this.protocol, local, remote };
    const framer = new StreamFramer(
      {
        message: (raw) => {
          for (const handler of this.messageHandlers) handler(raw, flow);
        },
        ping: () => socket.write(PONG),
      },
      this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    );
    const connection: Connection = { flow, socket, framer, keys: [] };
    this.connections.set(flow.id, connection);
    this.rememberRemote(connection, remote);
    socket.on('data', (chunk: Buffer) => this.receive(connection, chunk));
    socket.on('error', (error) => {
      connection.error ??= this.error(`connection ${flow.id} with ${formatEndpoint(remote)} failed: ${error.message}`, remote, error);
    });
    socket.on('close', () => this.forget(connection));
    return connection;
  }

  private receive(connection: Connection, chunk: Buffer): void {
    try {
      connection.framer.push(chunk);
    } catch (error) {
      if (!(error instanceof FramingError)) throw error;
      const { flow } = connection;
      connection.error ??= this.error(`peer ${formatEndpoint(flow.remote)} on ${flow.id} cut off: ${error.message}`, flow.remote, error);
      connection.socket.destroy();
    }
  }

  private forget(connection: Connection): void {
    const { flow } = connection;
    this.connections.delete(flow.id);
    for (const key of connection.keys) {
      if (this.byRemote.get(key) === connection) this.byRemote.delete(key);
    }
    if (!connection.error && connection.framer.midMessage) {
      connection.error = this.error(`connection ${flow.id} with ${formatEndpoint(flow.remote)} closed in the middle of a message`, flow.remote);
    }
    for (const handler of this.flowClosedHandlers) handler(flow, connection.error);
  }

  private rememberRemote(connection: Connection, remote: Endpoint): void {
    const key = remoteKey(remote);
    if (connection.keys.includes(key)) return;
    connection.keys.push(key);
    this.byRemote.set(key, connection);
  }

  private async shutdown(): Promise<void> {
    this.state = 'closed';
    for (const socket of this.dialingSockets) socket.destroy();
    const server = this.server;
    const serverClosed = server
      ? new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
      : Promise.resolve();
    await Promise.all([...this.connections.values()].map((c) => endGracefully(c.socket)));
    // Whatever is left never became a flow (a TLS handshake in progress); the server waits for it.
    for (const socket of this.acceptedSockets) socket.destroy();
    await serverClosed;
  }

  private error(message: string, remote?: Endpoint, cause?: unknown): TransportError {
    return new TransportError(`${this.protocol} ${message}`, this.protocol, remote, cause === undefined ? undefined : { cause });
  }
}

/** Ends a connection politely (TLS close_notify, TCP FIN) and destroys it if the peer stalls. */
export function endGracefully(socket: net.Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
