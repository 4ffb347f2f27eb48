import type { Endpoint, Flow, FlowClosedHandler, MessageHandler, SipSocket } from '../../src/sip/transport/types.js';

export interface Datagram {
  from: Endpoint;
  to: Endpoint;
  raw: string;
}

/**
 * An in-memory datagram network for tests: sockets get addresses 127.0.0.1:<n>, delivery is
 * synchronous, and `dropIf` decides per datagram whether the "network" loses it.
 */
export class FakeNetwork {
  private readonly sockets = new Map<number, FakeUdpSocket>();
  private nextPort = 40000;
  readonly delivered: Datagram[] = [];
  dropIf: (datagram: Datagram) => boolean = () => false;

  socket(): FakeUdpSocket {
    const socket = new FakeUdpSocket(this, { address: '127.0.0.1', port: this.nextPort++ });
    this.sockets.set(socket.local.port, socket);
    return socket;
  }

  deliver(datagram: Datagram): void {
    if (this.dropIf(datagram)) return;
    this.delivered.push(datagram);
    this.sockets.get(datagram.to.port)?.receive(datagram);
  }
}

export class FakeUdpSocket implements SipSocket {
  readonly protocol = 'udp' as const;
  private handlers: MessageHandler[] = [];
  readonly sent: Datagram[] = [];

  constructor(
    private readonly network: FakeNetwork,
    readonly local: Endpoint,
  ) {}

  async open(): Promise<Endpoint> {
    return this.local;
  }

  async send(raw: string, target: { flowId?: string; remote?: Endpoint }): Promise<Flow> {
    const remote = target.remote ?? parseFlowId(target.flowId);
    const datagram = { from: this.local, to: remote, raw };
    this.sent.push(datagram);
    this.network.deliver(datagram);
    return this.flowTo(remote);
  }

  onMessage(handler: MessageHandler): void {
    this.handlers.push(handler);
  }

  onFlowClosed(_handler: FlowClosedHandler): void {}

  async close(): Promise<void> {}

  receive(datagram: Datagram): void {
    for (const handler of this.handlers) handler(datagram.raw, this.flowTo(datagram.from));
  }

  private flowTo(remote: Endpoint): Flow {
    return { id: `udp:${remote.address}:${remote.port}`, protocol: 'udp', local: this.local, remote };
  }
}

function parseFlowId(flowId: string | undefined): Endpoint {
  const match = /^udp:(.+):(\d+)$/.exec(flowId ?? '');
  if (!match) throw new Error(`fake network cannot route flow ${flowId}`);
  return { address: match[1]!, port: Number(match[2]) };
}
