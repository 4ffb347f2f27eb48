import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import { literalFirstLookup } from '../../util/literal-first-lookup.js';
import { silentLogger } from '../../util/logger.js';
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
} from './types.js';

const FLOW_PREFIX = 'udp:';

/**
 * SIP over UDP (RFC 3261 §18): one datagram is one message, and a "flow" is just the remote
 * address (`udp:127.0.0.1:5060`), so replies to a flow go back to where the request came from
 * (§18.2.2, with rport per RFC 3581 the layer above may also pick `remote` itself).
 * There are no connections, so flow-closed handlers never fire.
 */
export class UdpSipSocket implements SipSocket {
  readonly protocol = 'udp' as const;
  private localEndpoint: Endpoint;
  private socket?: dgram.Socket;
  private state: 'new' | 'opening' | 'open' | 'closed' = 'new';
  private closing?: Promise<void>;
  private readonly messageHandlers: MessageHandler[] = [];

  constructor(
    private readonly options: SipSocketOptions,
    private readonly logger: Logger = silentLogger,
  ) {
    this.localEndpoint = { address: options.bindAddress ?? '127.0.0.1', port: 0 };
  }

  get local(): Endpoint {
    return this.localEndpoint;
  }

  async open(): Promise<Endpoint> {
    if (this.state !== 'new') throw new TransportError(`udp socket cannot be opened: it is ${this.state}`, 'udp');
    this.state = 'opening';
    const wanted: Endpoint = { address: this.localEndpoint.address, port: this.options.port ?? 0 };
    // An IP-literal destination (every flow and Via address) is resolved at once, a name through DNS.
    const socket = dgram.createSocket({ type: net.isIPv6(wanted.address) ? 'udp6' : 'udp4', lookup: literalFirstLookup });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(wanted.port, wanted.address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.state = 'closed';
      socket.close();
      throw new TransportError(`udp cannot bind ${formatEndpoint(wanted)}: ${messageOf(error)}`, 'udp', undefined, {
        cause: error,
        local: wanted,
      });
    }
    // After binding, errors are per send (reported through the send callback); anything else is
    // unexpected and must not crash the process unseen.
    socket.on('error', (error) => this.logger.error({ err: error, local: this.localEndpoint }, 'udp socket error'));
    socket.on('message', (datagram, rinfo) => this.receive(datagram, rinfo));
    const bound = socket.address();
    this.localEndpoint = { address: bound.address, port: bound.port };
    this.socket = socket;
    this.state = 'open';
    return this.localEndpoint;
  }

  async send(raw: string, target: { flowId?: string; remote?: Endpoint }, onWrite?: (flow: Flow) => void): Promise<Flow> {
    const socket = this.socket;
    if (this.state !== 'open' || !socket) {
      throw new TransportError(`udp socket ${formatEndpoint(this.localEndpoint)} is ${this.state}, cannot send`, 'udp');
    }
    const remote = target.flowId !== undefined ? parseFlowId(target.flowId) : target.remote;
    if (!remote) throw new TransportError('udp send needs a flowId or a remote endpoint', 'udp');
    await new Promise<void>((resolve, reject) => {
      socket.send(raw, remote.port, remote.address, (error) => {
        if (!error) return resolve();
        reject(
          new TransportError(`udp send to ${formatEndpoint(remote)} failed: ${error.message}`, 'udp', remote, {
            cause: error,
          }),
        );
      });
      onWrite?.(this.flowTo(remote));
    });
    return this.flowTo(remote);
  }

  onMessage(handler: MessageHandler): void {
    this.messageHandlers.push(handler);
  }

  onFlowClosed(_handler: FlowClosedHandler): void {
    // Datagram flows have no connection that could end (see the class comment).
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const socket = this.socket;
    this.state = 'closed';
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private receive(datagram: Buffer, rinfo: dgram.RemoteInfo): void {
    if (isKeepAlive(datagram)) return;
    const flow = this.flowTo({ address: rinfo.address, port: rinfo.port });
    const raw = datagram.toString('utf8');
    for (const handler of this.messageHandlers) handler(raw, flow);
  }

  private flowTo(remote: Endpoint): Flow {
    return { id: udpFlowId(remote), protocol: 'udp', local: this.localEndpoint, remote };
  }
}

/** `udp:127.0.0.1:5060`, `udp:[::1]:5060`. */
export function udpFlowId(remote: Endpoint): string {
  return FLOW_PREFIX + formatEndpoint(remote);
}

function parseFlowId(flowId: string): Endpoint {
  const colon = flowId.lastIndexOf(':');
  const port = Number(flowId.slice(colon + 1));
  let address = flowId.slice(FLOW_PREFIX.length, colon);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (!flowId.startsWith(FLOW_PREFIX) || colon <= FLOW_PREFIX.length || !Number.isInteger(port) || !net.isIP(address)) {
    throw new TransportError(`"${flowId}" is not a udp flow id (expected udp:<address>:<port>)`, 'udp');
  }
  return { address, port };
}

/** RFC 5626 §4.4.1 CRLF keep-alives carry no message; a bare CRLF or CRLFCRLF is dropped. */
function isKeepAlive(datagram: Buffer): boolean {
  if (datagram.length !== 2 && datagram.length !== 4) return false;
  for (let i = 0; i < datagram.length; i += 2) {
    if (datagram[i] !== 0x0d || datagram[i + 1] !== 0x0a) return false;
  }
  return true;
}
