import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { silentLogger } from '../../util/logger.js';
import { ConnectionSipSocket } from './connection-sip-socket.js';
import { describeConnectFailure, listeningTlsMaterial, outgoingLocalAddress, socketEndpoint } from './socket-helpers.js';
import { DEFAULT_MAX_MESSAGE_BYTES, FramingError, StreamFramer } from './stream-framer.js';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, formatEndpoint, TransportError, type Endpoint, type Flow, type SipSocketOptions } from './types.js';

export type StreamProtocol = 'tcp' | 'tls';

/** How long an outgoing connection (TCP connect plus TLS handshake) may take. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long close() lets a connection flush and say goodbye before destroying it. */
const CLOSE_GRACE_MS = 1_000;
const PONG = '\r\n';

interface StreamConnection {
  flow: Flow;
  socket: net.Socket;
  framer: StreamFramer;
  error?: TransportError;
  /** Set while an incomplete message (or an accepted connection's first one) is awaited. */
  stall?: NodeJS.Timeout;
  delivered: boolean;
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
export class StreamSipSocket extends ConnectionSipSocket<StreamProtocol, StreamConnection> {
  protected readonly writeVerb = 'write';
  private server?: net.Server;
  private readonly dialingSockets = new Set<net.Socket>();
  /** Every accepted TCP socket, including TLS ones still in their handshake. */
  private readonly acceptedSockets = new Set<net.Socket>();

  constructor(protocol: StreamProtocol, options: SipSocketOptions, logger: Logger = silentLogger) {
    super(protocol, options, logger);
  }

  protected async listen(): Promise<void> {
    const server = this.protocol === 'tls' ? tls.createServer(listeningTlsMaterial('tls', this.options)) : net.createServer();
    server.on('connection', (socket: net.Socket) => {
      this.acceptedSockets.add(socket);
      socket.once('close', () => this.acceptedSockets.delete(socket));
    });
    if (this.protocol === 'tls') {
      server.on('secureConnection', (socket: tls.TLSSocket) => this.adoptSocket(socket));
      // A failed handshake never becomes a flow; the layers above cannot act on it, an operator can.
      server.on('tlsClientError', (error, socket) =>
        this.logger.warn({ err: error, remote: `${socket.remoteAddress}:${socket.remotePort}` }, 'tls handshake from client failed'),
      );
    } else {
      server.on('connection', (socket: net.Socket) => this.adoptSocket(socket));
    }
    // Past the cap Node closes each new connection at once (a slowloris must not exhaust fds).
    server.maxConnections = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    server.on('drop', (data) => this.logger.warn({ remote: `${data?.remoteAddress}:${data?.remotePort}`, max: server.maxConnections }, `${this.protocol} connection refused: at the connection cap`));
    await this.listenOn(server);
    server.on('error', (error) => this.logger.error({ err: error, local: this.localEndpoint }, `${this.protocol} server error`));
    this.server = server;
  }

  protected dial(remote: Endpoint): Promise<StreamConnection> {
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
    return new Promise<StreamConnection>((resolve, reject) => {
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
        const connection = this.dialled(remote, () => this.adoptSocket(socket));
        if (connection instanceof TransportError) return fail(connection);
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

  protected write(connection: StreamConnection, raw: string, callback: (error?: Error | null) => void): void {
    connection.socket.write(raw, callback);
  }

  protected isOpen(connection: StreamConnection): boolean {
    return !connection.socket.destroyed;
  }

  /** Turns an established socket (accepted or dialled) into a flow. */
  private adoptSocket(socket: net.Socket): StreamConnection | undefined {
    const remote = socketEndpoint(socket.remoteAddress, socket.remotePort);
    const local = socketEndpoint(socket.localAddress, socket.localPort);
    if (!remote || !local || this.state === 'closed') {
      // The peer went away between accept and now, or we are closing: there is no flow to report.
      socket.destroy();
      return undefined;
    }
    socket.setNoDelay(true); // SIP messages are small and latency-sensitive; Nagle only delays them.
    const connection = this.adopt(local, remote, (flow) => ({
      flow,
      socket,
      delivered: false,
      framer: new StreamFramer(
        {
          message: (raw) => {
            connection.delivered = true;
            this.deliver(raw, flow);
          },
          ping: () => socket.write(PONG),
        },
        this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      ),
    }));
    // An accepted connection must bring its first message in time; a dialled one is ours.
    if (this.acceptedSockets.has(socket)) this.watchStall(connection);
    const { flow } = connection;
    socket.on('data', (chunk: Buffer) => this.receive(connection, chunk));
    socket.on('error', (error) => {
      connection.error ??= this.error(`connection ${flow.id} with ${formatEndpoint(remote)} failed: ${error.message}`, remote, error);
    });
    socket.on('close', () => {
      if (connection.stall) clearTimeout(connection.stall);
      if (!connection.error && connection.framer.midMessage) {
        connection.error = this.error(`connection ${flow.id} with ${formatEndpoint(remote)} closed in the middle of a message`, remote);
      }
      this.forget(connection);
    });
    return connection;
  }

  private receive(connection: StreamConnection, chunk: Buffer): void {
    try {
      connection.framer.push(chunk);
    } catch (error) {
      if (!(error instanceof FramingError)) throw error;
      const { flow } = connection;
      connection.error ??= this.error(`peer ${formatEndpoint(flow.remote)} on ${flow.id} cut off: ${error.message}`, flow.remote, error);
      connection.socket.destroy();
      return;
    }
    this.watchStall(connection);
  }

  /**
   * Arms the idle timeout while the connection owes a message: one begun and not finished, or
   * (accepted connections) a first one. A finished message disarms it; keep-alive CRLFs between
   * messages never arm it.
   */
  private watchStall(connection: StreamConnection): void {
    const owes = connection.framer.midMessage || (!connection.delivered && this.acceptedSockets.has(connection.socket));
    if (!owes) {
      if (connection.stall) clearTimeout(connection.stall);
      connection.stall = undefined;
      return;
    }
    if (connection.stall) return;
    const ms = this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    connection.stall = setTimeout(() => {
      connection.stall = undefined;
      const { flow } = connection;
      const what = connection.framer.midMessage ? 'an incomplete message' : 'no message';
      connection.error ??= this.error(`peer ${formatEndpoint(flow.remote)} on ${flow.id} cut off: ${what} after ${ms / 1000} s (idle timeout)`, flow.remote);
      this.logger.info({ flow: flow.id, remote: formatEndpoint(flow.remote) }, `${this.protocol} connection closed: ${what} within the idle timeout`);
      connection.socket.destroy();
    }, ms);
    connection.stall.unref();
  }

  protected async shutdown(): Promise<void> {
    for (const socket of this.dialingSockets) socket.destroy();
    const server = this.server;
    const serverClosed = server
      ? new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
      : Promise.resolve();
    await Promise.all(this.table.all().map((c) => endGracefully(c.socket)));
    // Whatever is left never became a flow (a TLS handshake in progress); the server waits for it.
    for (const socket of this.acceptedSockets) socket.destroy();
    await serverClosed;
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
