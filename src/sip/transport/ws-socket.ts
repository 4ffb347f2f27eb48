import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer, type ClientOptions, type RawData } from 'ws';
import { silentLogger } from '../../util/logger.js';
import {
  describeConnectFailure,
  listeningTlsMaterial,
  messageOf,
  outgoingLocalAddress,
  remoteKey,
  socketEndpoint,
} from './socket-helpers.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './stream-framer.js';
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

export type WsProtocol = 'ws' | 'wss';

/** RFC 7118 §4.1: the WebSocket subprotocol both ends must agree on. */
const SIP_SUBPROTOCOL = 'sip';
const HANDSHAKE_TIMEOUT_MS = 10_000;
const CLOSE_GRACE_MS = 1_000;
/** 1000 normal, 1001 going away, 1005 closed without a status: none of them is a failure. */
const NORMAL_CLOSE_CODES = new Set([1000, 1001, 1005]);
const PING = '\r\n\r\n';
const PONG = '\r\n';

interface Connection {
  flow: Flow;
  ws: WebSocket;
  keys: string[];
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
export class WsSipSocket implements SipSocket {
  private localEndpoint: Endpoint;
  private httpServer?: http.Server;
  private wsServer?: WebSocketServer;
  private state: 'new' | 'opening' | 'open' | 'closed' = 'new';
  private closing?: Promise<void>;
  private nextFlowNumber = 1;
  private readonly connections = new Map<string, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  private readonly dialing = new Map<string, Promise<Connection>>();
  private readonly dialingSockets = new Set<WebSocket>();
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly flowClosedHandlers: FlowClosedHandler[] = [];

  constructor(
    readonly protocol: WsProtocol,
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
      connection.ws.send(raw, (error) => {
        if (!error) return resolve();
        const where = `${formatEndpoint(connection.flow.remote)} on ${connection.flow.id}`;
        reject(this.error(`send to ${where} failed: ${error.message}`, connection.flow.remote, error));
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
    const httpServer = this.protocol === 'wss' ? https.createServer(listeningTlsMaterial('wss', this.options)) : http.createServer();
    // Plain HTTP requests would otherwise hang: tell them this endpoint only speaks WebSocket.
    httpServer.on('request', (_request, response) => {
      response.writeHead(426, { Upgrade: 'websocket', Connection: 'close' });
      response.end('SIP over WebSocket only (RFC 7118)\n');
    });
    const wanted: Endpoint = { address: this.localEndpoint.address, port: this.options.port ?? 0 };
    try {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen({ host: wanted.address, port: wanted.port }, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      throw this.error(`cannot listen on ${formatEndpoint(wanted)}: ${messageOf(error)}`, undefined, error);
    }
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
      this.adopt(ws, request.socket);
    });
    const bound = httpServer.address() as net.AddressInfo;
    this.localEndpoint = { address: bound.address, port: bound.port };
    this.httpServer = httpServer;
    this.wsServer = wsServer;
  }

  private async connectionFor(target: { flowId?: string; remote?: Endpoint }): Promise<Connection> {
    if (target.flowId !== undefined) {
      const connection = this.connections.get(target.flowId);
      if (connection && connection.ws.readyState === WebSocket.OPEN) return connection;
      if (!target.remote) throw this.error(`flow ${target.flowId} is closed and no remote was given to reconnect to`);
    }
    const remote = target.remote;
    if (!remote) throw this.error('send needs a flowId or a remote endpoint');
    const key = remoteKey(remote);
    const existing = this.byRemote.get(key);
    if (existing && existing.ws.readyState === WebSocket.OPEN) return existing;
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
    return new Promise<Connection>((resolve, reject) => {
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
        if (this.state !== 'open') return fail(this.error(`socket closed while connecting to ${where}`, remote));
        if (!socket) return fail(this.error(`connection to ${where} opened without a socket`, remote));
        const connection = this.adopt(ws, socket);
        if (!connection) return fail(this.error(`connection to ${where} closed before it was established`, remote));
        this.rememberRemote(connection, remote);
        resolve(connection);
      };
      const cleanup = (): void => {
        this.dialingSockets.delete(ws);
        ws.off('upgrade', onUpgrade).off('error', onError).off('close', onClose).off('open', onOpen);
      };
      ws.on('upgrade', onUpgrade).on('error', onError).on('close', onClose).on('open', onOpen);
    });
  }

  /** Turns an open WebSocket (accepted or dialled) into a flow. */
  private adopt(ws: WebSocket, socket: net.Socket): Connection | undefined {
    const remote = socketEndpoint(socket.remoteAddress, socket.remotePort);
    const local = socketEndpoint(socket.localAddress, socket.localPort);
    if (!remote || !local || this.state === 'closed') {
      ws.terminate();
      return undefined;
    }
    const flow: Flow = { id: `${this.protocol}#${this.nextFlowNumber++}`, protocol: this.protocol, local, remote };
    const connection: Connection = { flow, ws, keys: [] };
    this.connections.set(flow.id, connection);
    this.rememberRemote(connection, remote);
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

  private receive(connection: Connection, data: RawData): void {
    const raw = textOf(data);
    if (raw === PING) {
      connection.ws.send(PONG);
      return;
    }
    if (raw === PONG) return;
    for (const handler of this.messageHandlers) handler(raw, connection.flow);
  }

  private forget(connection: Connection): void {
    this.connections.delete(connection.flow.id);
    for (const key of connection.keys) {
      if (this.byRemote.get(key) === connection) this.byRemote.delete(key);
    }
    for (const handler of this.flowClosedHandlers) handler(connection.flow, connection.error);
  }

  private rememberRemote(connection: Connection, remote: Endpoint): void {
    const key = remoteKey(remote);
    if (connection.keys.includes(key)) return;
    connection.keys.push(key);
    this.byRemote.set(key, connection);
  }

  private async shutdown(): Promise<void> {
    this.state = 'closed';
    for (const ws of this.dialingSockets) ws.terminate();
    await Promise.all([...this.connections.values()].map((c) => closeGracefully(c.ws)));
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

  private error(message: string, remote?: Endpoint, cause?: unknown): TransportError {
    return new TransportError(`${this.protocol} ${message}`, this.protocol, remote, cause === undefined ? undefined : { cause });
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
