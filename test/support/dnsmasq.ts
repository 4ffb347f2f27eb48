import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real authoritative DNS server for the test domain: Debian's dnsmasq, on its own 127.0.x.y
 * address and a free port, answering only from the records given on its command line (no
 * upstream, no /etc/hosts, no /etc/resolv.conf), every query logged. Never the machine's resolver.
 */
export interface Dnsmasq {
  /** `127.0.x.y:port`, for `--dns` and `Resolver.setServers`. */
  server: string;
  /** The names queried so far, in order (`A pbx.lab.test`, `SRV _sip._udp.lab.test`, …), with the time logged. */
  queries(): Array<{ type: string; name: string }>;
  stop(): Promise<void>;
}

export interface DnsRecords {
  /** `name,address[,address]` (dnsmasq --host-record). */
  hosts?: string[];
  /** `service,target,port,priority,weight` (dnsmasq --srv-host). */
  srv?: string[];
  /** `name,order,preference,flags,service,regexp,replacement` (dnsmasq --naptr-record). */
  naptr?: string[];
  /** TTL of every answer, seconds (dnsmasq --local-ttl). */
  ttl?: number;
}

export async function startDnsmasq(records: DnsRecords): Promise<Dnsmasq> {
  const probe = spawnSync('dnsmasq', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error('dnsmasq is not installed; install the test peers with scripts/peers/install.sh (Debian: apt-get install dnsmasq-base)', { cause: probe.error });
  const address = `127.0.${1 + Math.floor(Math.random() * 200)}.${2 + Math.floor(Math.random() * 250)}`;
  const port = await freeUdpPort(address);
  const log = join(mkdtempSync(join(tmpdir(), 'sipbots-dnsmasq-')), 'queries.log');
  const args = [
    '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--no-poll',
    `--listen-address=${address}`, '--bind-interfaces', `--port=${port}`, '--local=/lab.test/',
    `--local-ttl=${records.ttl ?? 60}`, '--log-queries', `--log-facility=${log}`, '--pid-file', '--user=root', '--group=root',
    ...(records.hosts ?? []).map((r) => `--host-record=${r}`),
    ...(records.srv ?? []).map((r) => `--srv-host=${r}`),
    ...(records.naptr ?? []).map((r) => `--naptr-record=${r}`),
  ];
  const child: ChildProcess = spawn('dnsmasq', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForLog(log, child, () => stderr);
  return {
    server: `${address}:${port}`,
    queries: () =>
      [...readFileSync(log, 'utf8').matchAll(/query\[(\w+)\] (\S+) from/g)].map((m) => ({ type: m[1]!, name: m[2]! })),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function freeUdpPort(address: string): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, address, () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** dnsmasq logs "started" once it listens. */
async function waitForLog(log: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${stderr()}`);
    if (existsSync(log) && readFileSync(log, 'utf8').includes('started')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`dnsmasq did not start within 10 s: ${stderr()}`);
}
