import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer, type ClientOptions, type RawData } from 'ws';
import { silentLogger } from '../../util/logger.js';
import { ConnectionSipSocket } from './connection-sip-socket.js';
import { describeConnectFailure, listeningTlsMaterial, outgoingLocalAddress, socketEndpoint } from './socket-helpers.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './stream-framer.js';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, formatEndpoint, TransportError, type Endpoint, type Flow, type SipSocketOptions } from './types.js';

export type WsProtocol = 'ws' | 'wss';

/** RFC 7118 §4.1: the WebSocket subprotocol both ends must agree on. */
const SIP_SUBPROTOCOL = 'sip';
const HANDSHAKE_TIMEOUT_MS = 10_000;
const CLOSE_GRACE_MS = 1_000;
/** 1000 normal, 1001 going away, 1005 closed without a status: none of them is a failure. */
const NORMAL_CLOSE_CODES = new Set([1000, 1001, 1005]);
const PING = '\r\n\r\n';
const PONG = '\r\n';

interface WsConnection {
  flow: Flow;
  ws: WebSocket;
  error?: TransportError;
}

/**
 * SIP over WebSocket (RFC 7118): one text or binary frame carries one whole message, so there
 * is no Content-Length framing. Each connection is a flow (`ws#1`, `wss#2`) and is reused for
 * any send to the same remote, whichever side opened it.
 *
 * Without `listen` the socket only connects out (`ws(s)://host:port/`, subprotocol `sip`):
 * `local` is then the bind address with port 0, and each Flow's `local` is the connection's
 * real local address and port. SIP.js sends CRLFCRLF keep-alives over WebSocket too, so those
 * are answered with CRLF (RFC 5626 §4.4.1) and never reach the message handlers.
 */
export class WsSipSocket extends ConnectionSipSocket<WsProtocol, WsConnection> {
  protected readonly writeVerb = 'send';
  private httpServer?: http.Server;
  private wsServer?: WebSocketServer;
  private readonly dialingSockets = new Set<WebSocket>();

  constructor(protocol: WsProtocol, options: SipSocketOptions, logger: Logger = silentLogger) {
    super(protocol, options, logger);
  }

  protected async listen(): Promise<void> {
    const httpServer = this.protocol === 'wss' ? https.createServer(listeningTlsMaterial('wss', this.options)) : http.createServer();
    // Plain HTTP requests would otherwise hang: tell them this endpoint only speaks WebSocket.
    httpServer.on('request', (_request, response) => {
      response.writeHead(426, { Upgrade: 'websocket', Connection: 'close' });
      response.end('SIP over WebSocket only (RFC 7118)\n');
    });
    // Past the cap Node closes each new connection at once (a slowloris must not exhaust fds).
    httpServer.maxConnections = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    // A WebSocket upgrade that never completes is closed like any stalled HTTP request.
    httpServer.headersTimeout = this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    await this.listenOn(httpServer);
    const wsServer = new WebSocketServer({
      server: httpServer,
      maxPayload: this.maxMessageBytes(),
      handleProtocols: (offered) => (offered.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
    });
    // The WebSocketServer re-emits the HTTP server's errors; after listen() they are unexpected.
    wsServer.on('error', (error) => this.logger.error({ err: error, local: this.localEndpoint }, `${this.protocol} server error`));
    wsServer.on('connection', (ws, request) => {
      if (ws.protocol !== SIP_SUBPROTOCOL) {
        // RFC 7118 §4.1: without the 'sip' subprotocol the peer has not agreed to SIP framing.
        this.logger.warn({ remote: request.socket.remoteAddress }, `${this.protocol} client did not offer the sip subprotocol`);
        ws.close(1002, 'sip subprotocol required (RFC 7118)');
        return;
      }
      const connection = this.adoptWebSocket(ws, request.socket);
      if (connection) this.watchStall(connection, request.socket);
    });
    this.httpServer = httpServer;
    this.wsServer = wsServer;
  }

  protected dial(remote: Endpoint): Promise<WsConnection> {
    const where = formatEndpoint(remote);
    const tlsOptions = this.options.tls ?? {};
    const local = outgoingLocalAddress(this.options.bindAddress, remote.address);
    // `servername` is passed through to tls.connect by ws, though its typings omit it.
    const clientOptions: ClientOptions & { servername?: string } = {
      maxPayload: this.maxMessageBytes(),
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      localAddress: local,
      family: local ? net.isIP(local) : undefined,
      ca: tlsOptions.ca,
      servername: tlsOptions.servername,
      rejectUnauthorized: tlsOptions.rejectUnauthorized ?? true,
    };
    const ws = new WebSocket(`${this.protocol}://${where}/`, SIP_SUBPROTOCOL, clientOptions);
    this.dialingSockets.add(ws);
    return new Promise<WsConnection>((resolve, reject) => {
      let socket: net.Socket | undefined;
      const fail = (error: TransportError): void => {
        cleanup();
        ws.terminate();
        reject(error);
      };
      const onUpgrade = (response: http.IncomingMessage): void => {
        socket = response.socket;
      };
      const onError = (error: Error): void => fail(this.error(describeConnectFailure(where, error), remote, error));
      const onClose = (): void => fail(this.error(`connection to ${where} closed before it was established`, remote));
      const onOpen = (): void => {
        cleanup();
        const opened = socket;
        // dialled() reports a socket closed meanwhile first; only then does a missing TCP socket matter.
        if (!opened && this.state === 'open') return fail(this.error(`connection to ${where} opened without a socket`, remote));
        const connection = this.dialled(remote, () => opened && this.adoptWebSocket(ws, opened));
        if (connection instanceof TransportError) return fail(connection);
        resolve(connection);
      };
      const cleanup = (): void => {
        this.dialingSockets.delete(ws);
        ws.off('upgrade', onUpgrade).off('error', onError).off('close', onClose).off('open', onOpen);
      };
      ws.on('upgrade', onUpgrade).on('error', onError).on('close', onClose).on('open', onOpen);
    });
  }

  protected write(connection: WsConnection, raw: string, callback: (error?: Error | null) => void): void {
    connection.ws.send(raw, callback);
  }

  protected isOpen(connection: WsConnection): boolean {
    return connection.ws.readyState === WebSocket.OPEN;
  }

  /** Turns an open WebSocket (accepted or dialled) into a flow. */
  private adoptWebSocket(ws: WebSocket, socket: net.Socket): WsConnection | undefined {
    const remote = socketEndpoint(socket.remoteAddress, socket.remotePort);
    const local = socketEndpoint(socket.localAddress, socket.localPort);
    if (!remote || !local || this.state === 'closed') {
      ws.terminate();
      return undefined;
    }
    const connection = this.adopt(local, remote, (flow) => ({ flow, ws }));
    const { flow } = connection;
    ws.on('message', (data) => this.receive(connection, data));
    ws.on('error', (error) => {
      connection.error ??= this.error(`connection ${flow.id} with ${formatEndpoint(remote)} failed: ${error.message}`, remote, error);
    });
    ws.on('close', (code, reason) => {
      if (!connection.error && !NORMAL_CLOSE_CODES.has(code)) {
        const why = reason.length > 0 ? ` (${reason.toString('utf8')})` : '';
        connection.error = this.error(`connection ${flow.id} with ${formatEndpoint(remote)} closed with code ${code}${why}`, remote);
      }
      this.forget(connection);
    });
    return connection;
  }

  /**
   * The idle timeout of an accepted connection: bytes that arrived without completing a
   * message (a half-sent frame), or no message at all since the upgrade, for this long close
   * it. Quiet flows between messages stay open (RFC 5626 keep-alives come as whole messages).
   */
  private watchStall(connection: WsConnection, socket: net.Socket): void {
    const ms = this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const disarm = (): void => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    };
    const arm = (): void => {
      if (timer) return;
      timer = setTimeout(() => {
        const { flow } = connection;
        connection.error ??= this.error(`peer ${formatEndpoint(flow.remote)} on ${flow.id} cut off: no complete message within ${ms / 1000} s (idle timeout)`, flow.remote);
        this.logger.info({ flow: flow.id }, `${this.protocol} connection closed: no complete message within the idle timeout`);
        connection.ws.terminate();
      }, ms);
      timer.unref();
    };
    arm();
    // Before ws parses the chunk: a message it completes then disarms the timer.
    socket.prependListener('data', arm);
    connection.ws.on('message', disarm);
    connection.ws.on('close', disarm);
  }

  private receive(connection: WsConnection, data: RawData): void {
    const raw = textOf(data);
    if (raw === PING) {
      connection.ws.send(PONG);
      return;
    }
    if (raw === PONG) return;
    this.deliver(raw, connection.flow);
  }

  protected async shutdown(): Promise<void> {
    for (const ws of this.dialingSockets) ws.terminate();
    await Promise.all(this.table.all().map((c) => closeGracefully(c.ws)));
    const { wsServer, httpServer } = this;
    if (wsServer) await new Promise<void>((resolve, reject) => wsServer.close((error) => (error ? reject(error) : resolve())));
    if (httpServer) {
      const closed = new Promise<void>((resolve, reject) => httpServer.close((error) => (error ? reject(error) : resolve())));
      httpServer.closeAllConnections();
      await closed;
    }
  }

  private maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }
}

/** Sends a close frame and waits for the peer's; terminates a peer that does not answer. */
function closeGracefully(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1000);
  });
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
