import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import { LoadEngine, type EngineOptions } from '../../src/load/engine/load-engine.js';
import type { Endpoint } from '../../src/sip/transport/types.js';

/** A server that reads requests and never answers; counts the request lines it got. */
interface SilentServer {
  endpoint: Endpoint;
  requests: string[];
  close(): void;
}

async function silentUdp(): Promise<SilentServer> {
  const socket: Socket = createSocket('udp4');
  const requests: string[] = [];
  socket.on('message', (data) => requests.push(data.toString().split('\r\n')[0]!));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { endpoint: { address: '127.0.0.1', port: socket.address().port }, requests, close: () => socket.close() };
}

async function silentTcp(): Promise<SilentServer> {
  const requests: string[] = [];
  const connections = new Set<TcpSocket>();
  const server: Server = createServer((connection) => {
    connections.add(connection);
    connection.on('data', (data) => {
      for (const line of data.toString().split('\r\n')) if (/^[A-Z]+ sip:\S+ SIP\/2\.0$/.test(line)) requests.push(line);
    });
    connection.on('error', () => connection.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: { address: '127.0.0.1', port },
    requests,
    close: () => {
      server.close();
      for (const connection of connections) connection.destroy();
    },
  };
}

function options(transport: 'udp' | 'tcp', proxy: Endpoint, scenario: 'call' | 'options'): EngineOptions {
  return {
    scenario,
    transport,
    proxy,
    bindAddress: '127.0.0.1',
    domain: 'lab.test',
    accounts: expandAccountPattern('u{1..2}@lab.test', 'secret'),
    calleeUri: 'sip:nobody@lab.test',
    rate: 10,
    arrival: 'constant',
    calls: 1,
    holdMs: 100,
    timeoutMs: 2200,
    registerExpires: 60,
    sockets: 1,
  };
}

/** Runs the engine to its end; a run the server watch ends early is fine here, only the wire counts. */
async function runAgainst(server: SilentServer, transport: 'udp' | 'tcp', scenario: 'call' | 'options'): Promise<string[]> {
  await new LoadEngine(options(transport, server.endpoint, scenario)).run().catch(() => undefined);
  return server.requests;
}

describe('load-mode client transactions retransmit on UDP only', () => {
  let server: SilentServer | undefined;
  afterEach(() => server?.close());

  it.each(['call', 'options'] as const)('%s over UDP to a silent server: sent at 0, T1 and 3·T1 (Timers A/E) until the timeout', async (scenario) => {
    server = await silentUdp();
    const sent = await runAgainst(server, 'udp', scenario);
    const method = scenario === 'call' ? 'INVITE' : 'OPTIONS';
    expect(sent.filter((line) => line.startsWith(method)).length).toBeGreaterThanOrEqual(3);
  });

  it.each(['call', 'options'] as const)('%s over TCP to a silent server: sent once (RFC 3261 §17.1.1.2, §17.1.2.2), then the timeout', async (scenario) => {
    server = await silentTcp();
    const sent = await runAgainst(server, 'tcp', scenario);
    const method = scenario === 'call' ? 'INVITE' : 'OPTIONS';
    expect(sent.filter((line) => line.startsWith(method))).toHaveLength(1);
  });
});
