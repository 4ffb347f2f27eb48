import type net from 'node:net';
import type { Logger } from 'pino';
import { ConnectionTable } from './connection-table.js';
import { messageOf } from './socket-helpers.js';
import {
  formatEndpoint,
  TransportError,
  type Endpoint,
  type Flow,
  type FlowClosedHandler,
  type MessageHandler,
  type SipSocket,
  type SipSocketOptions,
  type TransportProtocol,
} from './types.js';

export type ConnectionProtocol = Exclude<TransportProtocol, 'udp'>;

/**
 * ```
 * new --open()--> opening --listening (or no listen)--> open --close()--> closed
 *                    \---------listen failed----------------------------->/
 * ```
 * `new` can also go straight to `closed` through close().
 */
export type ConnectionSocketState = 'new' | 'opening' | 'open' | 'closed';

/** What every connection of a connection-oriented socket carries. */
export interface SocketConnection {
  flow: Flow;
  /** Why the connection ended, reported to flow-closed handlers; unset for a normal close. */
  error?: TransportError;
}

/**
 * What SIP over TCP, TLS, WS and WSS share: the lifecycle, sending with `onWrite`, the
 * handler lists, flow numbering (`tcp#1`, `wss#2`, counted per socket) and the connection table
 * that reuses a connection for any send to the same remote (see ConnectionTable).
 *
 * A subclass supplies the protocol: `listen()`, `dial(remote)`, `write(connection, raw, callback)`,
 * `isOpen(connection)` and `shutdown()`. It turns each established connection into a flow with
 * `adopt()`, hands messages up with `deliver()` and reports the end with `forget()`.
 */
export abstract class ConnectionSipSocket<P extends ConnectionProtocol, C extends SocketConnection> implements SipSocket {
  protected localEndpoint: Endpoint;
  private lifecycle: ConnectionSocketState = 'new';
  private closing?: Promise<void>;
  private nextFlowNumber = 1;
  protected readonly table = new ConnectionTable<C>((connection) => this.isOpen(connection));
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly flowClosedHandlers: FlowClosedHandler[] = [];

  /** The verb of a failed send's message: `tcp write to …` for streams, `ws send to …` for frames. */
  protected abstract readonly writeVerb: string;

  constructor(
    readonly protocol: P,
    protected readonly options: SipSocketOptions,
    protected readonly logger: Logger,
  ) {
    this.localEndpoint = { address: options.bindAddress ?? '127.0.0.1', port: 0 };
  }

  get local(): Endpoint {
    return this.localEndpoint;
  }

  protected get state(): ConnectionSocketState {
    return this.lifecycle;
  }

  async open(): Promise<Endpoint> {
    if (this.lifecycle !== 'new') throw this.error(`socket cannot be opened: it is ${this.lifecycle}`);
    this.lifecycle = 'opening';
    if (this.options.listen) {
      try {
        await this.listen();
      } catch (error) {
        this.lifecycle = 'closed';
        throw error;
      }
    }
    this.lifecycle = 'open';
    return this.localEndpoint;
  }

  async send(raw: string, target: { flowId?: string; remote?: Endpoint }, onWrite?: (flow: Flow) => void): Promise<Flow> {
    if (this.lifecycle !== 'open') throw this.error(`socket is ${this.lifecycle}, cannot send`, target.remote);
    const connection = await this.connectionFor(target);
    await new Promise<void>((resolve, reject) => {
      this.write(connection, raw, (error) => {
        if (!error) return resolve();
        const where = `${formatEndpoint(connection.flow.remote)} on ${connection.flow.id}`;
        reject(this.error(`${this.writeVerb} to ${where} failed: ${error.message}`, connection.flow.remote, error));
      });
      // Recorded when handed to the socket, not in the callback: see SipSocket.send.
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
    if (!this.closing) {
      this.lifecycle = 'closed';
      this.closing = this.shutdown();
    }
    return this.closing;
  }

  /** Starts accepting connections; `local` must be the bound endpoint when it resolves. */
  protected abstract listen(): Promise<void>;
  /** Opens a connection to `remote` and adopts it, or rejects with a TransportError. */
  protected abstract dial(remote: Endpoint): Promise<C>;
  /** Hands `raw` to the connection; `callback` tells whether the write succeeded. */
  protected abstract write(connection: C, raw: string, callback: (error?: Error | null) => void): void;
  /** Whether the connection can still carry a message. */
  protected abstract isOpen(connection: C): boolean;
  /** Stops listening and ends every connection; called once, with the state already `closed`. */
  protected abstract shutdown(): Promise<void>;

  /** Listens on the configured address and port (0: any free one) and takes the bound endpoint as `local`. */
  protected async listenOn(server: net.Server): Promise<void> {
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
      throw new TransportError(`${this.protocol} cannot listen on ${formatEndpoint(wanted)}: ${messageOf(error)}`, this.protocol, undefined, { cause: error, local: wanted });
    }
    const bound = server.address() as net.AddressInfo;
    this.localEndpoint = { address: bound.address, port: bound.port };
  }

  /** Numbers an established connection's flow and adds the connection that `build` makes around it. */
  protected adopt(local: Endpoint, remote: Endpoint, build: (flow: Flow) => C): C {
    const flow: Flow = { id: `${this.protocol}#${this.nextFlowNumber++}`, protocol: this.protocol, local, remote };
    const connection = build(flow);
    this.table.adopt(connection);
    return connection;
  }

  /**
   * Finishes a dial once the connection is up: adopts it (`adopt` returns undefined if that
   * is no longer possible) and remembers the dialled remote, which can differ from the peer's
   * reported address (a hostname's case, an IPv4-mapped address).
   */
  protected dialled(remote: Endpoint, adopt: () => C | undefined): C | TransportError {
    const where = formatEndpoint(remote);
    if (this.lifecycle !== 'open') return this.error(`socket closed while connecting to ${where}`, remote);
    const connection = adopt();
    if (!connection) return this.error(`connection to ${where} closed before it was established`, remote);
    this.table.remember(connection, remote);
    return connection;
  }

  protected deliver(raw: string, flow: Flow): void {
    for (const handler of this.messageHandlers) handler(raw, flow);
  }

  /** Drops a closed connection and tells the flow-closed handlers, with its error if it failed. */
  protected forget(connection: C): void {
    this.table.forget(connection);
    for (const handler of this.flowClosedHandlers) handler(connection.flow, connection.error);
  }

  protected error(message: string, remote?: Endpoint, cause?: unknown): TransportError {
    return new TransportError(`${this.protocol} ${message}`, this.protocol, remote, cause === undefined ? undefined : { cause });
  }

  private async connectionFor(target: { flowId?: string; remote?: Endpoint }): Promise<C> {
    if (target.flowId !== undefined) {
      const connection = this.table.openFlow(target.flowId);
      if (connection) return connection;
      if (!target.remote) throw this.error(`flow ${target.flowId} is closed and no remote was given to reconnect to`);
    }
    const remote = target.remote;
    if (!remote) throw this.error('send needs a flowId or a remote endpoint');
    return this.table.openTo(remote) ?? this.table.dialOnce(remote, () => this.dial(remote));
  }
}
