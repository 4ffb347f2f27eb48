import dgram from 'node:dgram';
import type { Endpoint } from '../../../src/sip/transport/types.js';

/**
 * A user-space UDP NAT on loopback, for tests that need no root: clients send to `inside` (as
 * to their outbound proxy); each client gets a mapping, a socket on `publicAddress` with a port
 * of its own, from which its packets go on to `target`. Only `target` may send back through a
 * mapping (port-restricted cone). `rebind()` forgets every mapping, as a rebooting router does.
 */
export class UdpNat {
  private readonly mappings = new Map<string, { socket: dgram.Socket; client: Endpoint }>();
  private insideSocket: dgram.Socket | undefined;
  inside: Endpoint = { address: '127.0.0.1', port: 0 };

  constructor(
    private readonly target: Endpoint,
    private readonly publicAddress = '127.0.0.2',
  ) {}

  async start(): Promise<void> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    socket.on('message', (msg, rinfo) => void this.outbound(msg, { address: rinfo.address, port: rinfo.port }));
    this.insideSocket = socket;
    this.inside = { address: '127.0.0.1', port: socket.address().port };
  }

  /** The public port of a client's current mapping. */
  publicPortOf(client: Endpoint): number | undefined {
    return this.mappings.get(`${client.address}:${client.port}`)?.socket.address().port;
  }

  async rebind(): Promise<void> {
    const sockets = [...this.mappings.values()].map((m) => m.socket);
    this.mappings.clear();
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  async stop(): Promise<void> {
    await this.rebind();
    const inside = this.insideSocket;
    this.insideSocket = undefined;
    if (inside) await new Promise<void>((resolve) => inside.close(() => resolve()));
  }

  private async outbound(msg: Buffer, client: Endpoint): Promise<void> {
    const key = `${client.address}:${client.port}`;
    let mapping = this.mappings.get(key);
    if (!mapping) {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, this.publicAddress, resolve));
      socket.on('message', (reply, rinfo) => {
        if (rinfo.address !== this.target.address || rinfo.port !== this.target.port) return;
        this.insideSocket?.send(reply, client.port, client.address);
      });
      mapping = { socket, client };
      this.mappings.set(key, mapping);
    }
    mapping.socket.send(msg, this.target.port, this.target.address);
  }
}
