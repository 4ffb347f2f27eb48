import dgram from 'node:dgram';
import net from 'node:net';
import { formatEndpoint, type Endpoint } from '../sip/transport/types.js';
import { checkFaults, NO_FAULTS, type DirectionFaults } from './fault-spec.js';
import { seededRandom, type Random } from '../util/seeded-random.js';

/**
 * A UDP relay on loopback that plays a bad network between SIP clients and one target:
 *
 *   client A ──▶ listen socket ──(faults "toTarget")──▶ upstream socket for A ──▶ target
 *   client A ◀── listen socket ◀──(faults "toClient")── upstream socket for A ◀── target
 *
 * Each client address gets its own upstream socket, so the target sees one distinct source per
 * client and its replies (sent back to the source, RFC 3261 §18.2.2 / RFC 3581) find the way
 * back to the right client. Every decision (loss, duplicate, delay, reorder) comes from one
 * seeded PRNG, so a run is reproducible given the same order of arrivals.
 */
export type RelayDirection = 'toTarget' | 'toClient';

export interface RelayOptions {
  target: Endpoint;
  /** Where clients send to; 127.0.0.1 and a free port by default. */
  listen?: Partial<Endpoint>;
  /** Faults for both directions; `toTarget` / `toClient` override field by field. */
  faults?: Partial<DirectionFaults>;
  toTarget?: Partial<DirectionFaults>;
  toClient?: Partial<DirectionFaults>;
  seed?: number;
  /** More distinct clients than this and the least recently used mapping is closed. */
  maxClients?: number;
  /** Sees every datagram and what was done to it (tests prove a loss caused a difference). */
  observer?: (event: RelayDatagramEvent) => void;
}

export type RelayAction = 'forwarded' | 'dropped' | 'duplicated';

export interface RelayDatagramEvent {
  direction: RelayDirection;
  action: RelayAction;
  client: Endpoint;
  datagram: Buffer;
  /** Delay applied before sending, ms (0 for a drop). */
  delayMs: number;
  reordered: boolean;
}

export interface DirectionStats {
  received: number;
  forwarded: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  bytes: number;
}

export interface RelayStats {
  toTarget: DirectionStats;
  toClient: DirectionStats;
  /** Distinct client addresses seen. */
  clients: number;
  /** Datagrams still waiting for their delay. */
  inFlight: number;
  /** Sends or sockets that failed (e.g. ICMP port unreachable from a dead target): lost datagrams. */
  socketErrors: number;
}

export interface Relay {
  /** Where clients send: the relay's listening address. */
  endpoint: Endpoint;
  target: Endpoint;
  stats(): RelayStats;
  stop(): Promise<void>;
}

/** Relay options that cannot work; lists every problem. */
export class RelayConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`bad relay options:\n  ${problems.join('\n  ')}`);
    this.name = 'RelayConfigError';
  }
}

interface ClientMapping {
  client: Endpoint;
  upstream: dgram.Socket;
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const faults: Record<RelayDirection, DirectionFaults> = {
    toTarget: { ...NO_FAULTS, ...options.faults, ...options.toTarget },
    toClient: { ...NO_FAULTS, ...options.faults, ...options.toClient },
  };
  const problems = [...checkFaults('toTarget', faults.toTarget), ...checkFaults('toClient', faults.toClient)];
  if (!net.isIP(options.target.address)) problems.push(`target address ${options.target.address} is not an IP address`);
  if (!(options.target.port > 0 && options.target.port < 65536)) problems.push(`target port ${options.target.port} is out of range`);
  if (problems.length > 0) throw new RelayConfigError(problems);
  const relay = new UdpRelay(options, faults, seededRandom(options.seed ?? Date.now()));
  const listen = { address: options.listen?.address ?? '127.0.0.1', port: options.listen?.port ?? 0 };
  try {
    await relay.open(listen.address, listen.port);
  } catch (error) {
    // The address is not one of this machine's, or the port is taken: the option is wrong, not the run.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRNOTAVAIL' || code === 'EADDRINUSE' || code === 'EACCES') {
      const reason = code === 'EADDRNOTAVAIL' ? 'is not an address of this machine' : code === 'EADDRINUSE' ? 'is in use' : 'needs privileges';
      throw new RelayConfigError([`--listen ${formatEndpoint(listen)} ${reason} (${code})`]);
    }
    throw error;
  }
  return relay;
}

class UdpRelay implements Relay {
  endpoint: Endpoint = { address: '', port: 0 };
  readonly target: Endpoint;
  private listener?: dgram.Socket;
  private readonly clients = new Map<string, Promise<ClientMapping | undefined>>();
  /** Upstream sockets still open, closed on stop. */
  private opened: dgram.Socket[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly counters: Record<RelayDirection, DirectionStats> = { toTarget: emptyStats(), toClient: emptyStats() };
  private seenClients = 0;
  private socketErrors = 0;
  private stopped = false;
  private readonly maxClients: number;

  constructor(
    private readonly options: RelayOptions,
    private readonly faults: Record<RelayDirection, DirectionFaults>,
    private readonly random: Random,
  ) {
    this.target = options.target;
    this.maxClients = options.maxClients ?? 1024;
  }

  async open(address: string, port: number): Promise<void> {
    const socket = await bind(address, port, this.countError);
    socket.on('message', (datagram, rinfo) => this.fromClient(datagram, { address: rinfo.address, port: rinfo.port }));
    this.listener = socket;
    const bound = socket.address();
    this.endpoint = { address: bound.address, port: bound.port };
  }

  stats(): RelayStats {
    return { toTarget: { ...this.counters.toTarget }, toClient: { ...this.counters.toClient }, clients: this.seenClients, inFlight: this.timers.size, socketErrors: this.socketErrors };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.clients.values());
    const sockets = [this.listener, ...this.opened].filter((s): s is dgram.Socket => s !== undefined);
    this.clients.clear();
    this.opened = [];
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private async fromClient(datagram: Buffer, client: Endpoint): Promise<void> {
    const mapping = await this.mappingFor(client);
    if (!mapping) return;
    this.pass('toTarget', datagram, client, (copy) => mapping.upstream.send(copy, this.target.port, this.target.address, this.sendDone));
  }

  private fromTarget(datagram: Buffer, mapping: ClientMapping): void {
    const listener = this.listener;
    if (!listener) return;
    this.pass('toClient', datagram, mapping.client, (copy) => listener.send(copy, mapping.client.port, mapping.client.address, this.sendDone));
  }

  /** Applies one direction's faults to a datagram and schedules what survives. */
  private pass(direction: RelayDirection, datagram: Buffer, client: Endpoint, send: (copy: Buffer) => void): void {
    if (this.stopped) return;
    const f = this.faults[direction];
    const stats = this.counters[direction];
    stats.received++;
    if (this.random() < f.loss) {
      stats.dropped++;
      this.options.observer?.({ direction, action: 'dropped', client, datagram, delayMs: 0, reordered: false });
      return;
    }
    const copies = this.random() < f.duplicate ? 2 : 1;
    const reordered = this.random() < f.reorder;
    if (reordered) stats.reordered++;
    if (copies === 2) stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      const jitter = f.jitterMs === 0 ? 0 : (this.random() * 2 - 1) * f.jitterMs;
      const delayMs = Math.max(0, Math.round(f.delayMs + jitter + (reordered ? f.reorderHoldMs : 0)));
      stats.forwarded++;
      stats.bytes += datagram.length;
      this.options.observer?.({ direction, action: i === 0 ? 'forwarded' : 'duplicated', client, datagram, delayMs, reordered });
      if (delayMs === 0) send(datagram);
      else this.later(delayMs, () => send(datagram));
    }
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) action();
    }, ms);
    this.timers.add(timer);
  }

  /** The client's mapping; datagrams arriving while its upstream socket binds wait for the same one. */
  private mappingFor(client: Endpoint): Promise<ClientMapping | undefined> {
    const key = formatEndpoint(client);
    const existing = this.clients.get(key);
    if (existing) {
      // Re-insert so the Map's order stays least recently used first.
      this.clients.delete(key);
      this.clients.set(key, existing);
      return existing;
    }
    if (this.clients.size >= this.maxClients) this.evictOldest();
    const created = this.createMapping(client);
    this.clients.set(key, created);
    return created;
  }

  private async createMapping(client: Endpoint): Promise<ClientMapping | undefined> {
    const upstream = await bind(net.isIPv6(this.target.address) ? '::1' : '127.0.0.1', 0, this.countError);
    if (this.stopped) {
      upstream.close();
      return undefined;
    }
    const mapping: ClientMapping = { client, upstream };
    upstream.on('message', (datagram) => this.fromTarget(datagram, mapping));
    this.seenClients++;
    this.opened.push(upstream);
    return mapping;
  }

  /** Forgets the least recently active client (the Map's first entry) and closes its socket. */
  private evictOldest(): void {
    const oldest = this.clients.entries().next().value;
    if (!oldest) return;
    this.clients.delete(oldest[0]);
    void oldest[1].then((mapping) => {
      if (!mapping) return;
      this.opened = this.opened.filter((s) => s !== mapping.upstream);
      mapping.upstream.close();
    });
  }

  private readonly countError = () => {
    this.socketErrors++;
  };

  private readonly sendDone = (error: Error | null) => {
    if (error) this.socketErrors++;
  };
}

function emptyStats(): DirectionStats {
  return { received: 0, forwarded: 0, dropped: 0, duplicated: 0, reordered: 0, bytes: 0 };
}

async function bind(address: string, port: number, onError: (error: Error) => void): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // After binding, errors (e.g. ECONNREFUSED reported for an earlier send) are lost datagrams.
  socket.on('error', onError);
  return socket;
}
