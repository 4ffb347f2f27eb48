import {
  TransportError,
  isReliable,
  type Endpoint,
  type Flow,
  type FlowClosedHandler,
  type MessageHandler,
  type SipSocket,
  type TransportProtocol,
} from '../../../src/sip/transport/types.js';

/**
 * An in-memory network of SipSockets on 127.0.0.1. Delivery goes through queueMicrotask so
 * a send never re-enters the sender. Datagram flows are named `udp:addr:port`; stream
 * "connections" get one id per side (`tcp#3`), opened on first send and reused after, like
 * the real transports. `drop` discards the next messages matching a predicate.
 */
export class FakeNetwork {
  private readonly sockets = new Map<string, FakeSipSocket>();
  private nextPort = 40_000;
  private nextConnection = 1;
  private dropRules: { match: (raw: string) => boolean; remaining: number }[] = [];

  socket(protocol: TransportProtocol): FakeSipSocket {
    return new FakeSipSocket(this, protocol);
  }

  /** Drops the next `times` messages whose text matches. */
  drop(match: (raw: string) => boolean, times = 1): void {
    this.dropRules.push({ match, remaining: times });
  }

  /** @internal */
  bind(socket: FakeSipSocket): Endpoint {
    const local = { address: '127.0.0.1', port: this.nextPort++ };
    this.sockets.set(key(socket.protocol, local), socket);
    return local;
  }

  /** @internal */
  unbind(socket: FakeSipSocket): void {
    this.sockets.delete(key(socket.protocol, socket.local));
  }

  /** @internal */
  find(protocol: TransportProtocol, remote: Endpoint): FakeSipSocket | undefined {
    return this.sockets.get(key(protocol, remote));
  }

  /** @internal */
  connectionId(protocol: TransportProtocol): string {
    return `${protocol}#${this.nextConnection++}`;
  }

  /** @internal */
  shouldDrop(raw: string): boolean {
    const rule = this.dropRules.find((r) => r.remaining > 0 && r.match(raw));
    if (!rule) return false;
    rule.remaining--;
    return true;
  }
}

interface Connection {
  flow: Flow;
  peer: FakeSipSocket;
  peerFlowId: string;
}

export class FakeSipSocket implements SipSocket {
  local: Endpoint = { address: '127.0.0.1', port: 0 };
  private handlers: MessageHandler[] = [];
  private closedHandlers: FlowClosedHandler[] = [];
  private readonly connections = new Map<string, Connection>();
  private opened = false;

  constructor(
    private readonly network: FakeNetwork,
    readonly protocol: TransportProtocol,
  ) {}

  async open(): Promise<Endpoint> {
    if (!this.opened) this.local = this.network.bind(this);
    this.opened = true;
    return this.local;
  }

  async send(raw: string, target: { flowId?: string; remote?: Endpoint }): Promise<Flow> {
    if (!this.opened) throw new TransportError('socket not open', this.protocol, target.remote);
    const connection = this.route(target);
    if (!this.network.shouldDrop(raw)) {
      const { peer, peerFlowId } = connection;
      queueMicrotask(() => peer.deliver(raw, peerFlowId, this));
    }
    return connection.flow;
  }

  onMessage(handler: MessageHandler): void {
    this.handlers.push(handler);
  }

  onFlowClosed(handler: FlowClosedHandler): void {
    this.closedHandlers.push(handler);
  }

  async close(): Promise<void> {
    this.network.unbind(this);
    this.opened = false;
  }

  /** Closes a stream connection from this side; both ends hear about it. */
  closeFlow(flowId: string): void {
    const connection = this.connections.get(flowId);
    if (!connection) return;
    this.connections.delete(flowId);
    connection.peer.peerClosed(connection.peerFlowId);
    for (const handler of this.closedHandlers) handler(connection.flow);
  }

  /** @internal */
  deliver(raw: string, flowId: string, from: FakeSipSocket): void {
    let connection = this.connections.get(flowId);
    if (!connection && !isReliable(this.protocol)) connection = this.datagramFlow(from.local, from);
    if (!connection) return;
    for (const handler of this.handlers) handler(raw, connection.flow);
  }

  /** @internal */
  accept(flowId: string, remote: Endpoint, peer: FakeSipSocket, peerFlowId: string): void {
    this.connections.set(flowId, { flow: { id: flowId, protocol: this.protocol, local: this.local, remote }, peer, peerFlowId });
  }

  /** @internal */
  peerClosed(flowId: string): void {
    const connection = this.connections.get(flowId);
    if (!connection) return;
    this.connections.delete(flowId);
    for (const handler of this.closedHandlers) handler(connection.flow);
  }

  private route(target: { flowId?: string; remote?: Endpoint }): Connection {
    if (target.flowId !== undefined) {
      const existing = this.connections.get(target.flowId);
      if (existing) return existing;
      if (!target.remote) throw new TransportError(`no flow ${target.flowId}`, this.protocol);
    }
    const remote = target.remote;
    if (!remote) throw new TransportError('send needs a flowId or a remote', this.protocol);
    const peer = this.network.find(this.protocol, remote);
    if (!peer) throw new TransportError(`nothing listens on ${remote.address}:${remote.port}`, this.protocol, remote);
    if (!isReliable(this.protocol)) return this.datagramFlow(remote, peer);
    for (const connection of this.connections.values()) {
      if (connection.peer === peer) return connection;
    }
    const flowId = this.network.connectionId(this.protocol);
    const peerFlowId = this.network.connectionId(this.protocol);
    this.accept(flowId, remote, peer, peerFlowId);
    peer.accept(peerFlowId, this.local, this, flowId);
    return this.connections.get(flowId)!;
  }

  private datagramFlow(remote: Endpoint, peer: FakeSipSocket): Connection {
    const id = `udp:${remote.address}:${remote.port}`;
    const flow = { id, protocol: this.protocol, local: this.local, remote };
    const connection = { flow, peer, peerFlowId: `udp:${this.local.address}:${this.local.port}` };
    this.connections.set(id, connection);
    return connection;
  }
}

function key(protocol: TransportProtocol, endpoint: Endpoint): string {
  const family = isReliable(protocol) ? protocol : 'udp';
  return `${family}:${endpoint.address}:${endpoint.port}`;
}
