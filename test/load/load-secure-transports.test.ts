import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import { LoadEngine, type EngineOptions } from '../../src/load/engine/load-engine.js';
import { mergeSnapshots } from '../../src/load/results/load-stats.js';
import { TransportError } from '../../src/sip/transport/types.js';
import { runSipbots } from '../scale/support/spawn-shards.js';
import { buildCli, spawnCli } from '../security/support/spawn-cli.js';

/**
 * The lean load path over TLS and secure WebSocket, against the embedded proxy's listeners
 * (self-signed certificate for lab.test). The certificate is verified: trusted when the
 * proxy's own certificate is given as CA, refused without it.
 */
const PASSWORD = 'tls-load-secret';
const accounts = expandAccountPattern('u{0001..0020}@lab.test', PASSWORD);
let server: EmbeddedServer;
const events = new EventStream();
/** Transport of every INVITE with credentials the proxy received, by Call-ID: proof of what was on the wire. */
const inviteTransports = new Map<string, string>();

beforeAll(async () => {
  server = await startEmbeddedServer({ transports: ['tls', 'wss'], users: new Map(accounts.map((a) => [a.user, a.password])), domain: 'lab.test', events });
  events.subscribe((e) => {
    if (e.type === 'sip' && e.direction === 'in' && e.method === 'INVITE' && e.callId) inviteTransports.set(e.callId, e.transport);
  });
});

afterAll(() => server.stop());

function options(transport: 'tls' | 'wss', extra: Partial<EngineOptions> = {}): EngineOptions {
  return {
    scenario: 'call',
    transport,
    tls: { ca: server.certificate, servername: 'lab.test' },
    proxy: server.endpoints.get(transport)!,
    bindAddress: '127.0.0.1',
    domain: 'lab.test',
    accounts,
    rate: 40,
    arrival: 'constant',
    calls: 40,
    holdMs: 100,
    timeoutMs: 8000,
    registerExpires: 60,
    sockets: 1,
    ...extra,
  };
}

describe('sipbots load over TLS and WSS', () => {
  for (const transport of ['tls', 'wss'] as const) {
    it(`40 calls over ${transport}: every call succeeds, every INVITE reached the proxy over ${transport}`, async () => {
      inviteTransports.clear();
      const { counters } = mergeSnapshots([await new LoadEngine(options(transport)).run()]);
      expect(counters.failures).toEqual({});
      expect(counters).toMatchObject({ attempted: 40, succeeded: 40, failed: 0, active: 0, answered: 40, unparsable: 0 });
      expect(counters.statuses).toEqual({ 'INVITE 407': 40, 'INVITE 200': 40, 'BYE 200': 40 });
      expect(inviteTransports.size).toBe(40);
      expect(new Set(inviteTransports.values())).toEqual(new Set([transport]));
    });
  }

  it('verifies the certificate: without the proxy certificate as CA the link is refused', async () => {
    const untrusting = options('tls', { tls: { servername: 'lab.test' }, calls: 1 });
    const error = await new LoadEngine(untrusting).run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/certificate/);
  });
});

describe('sipbots load CLI over secure transports', () => {
  // Worker threads cannot load TypeScript under Node 20 (tsx's hooks do not reach them): the built CLI runs this one.
  it('--workers 2 over wss against --embedded-proxy: 40 calls, 0 failures', async () => {
    buildCli();
    const cli = spawnCli(
      ['load', '--embedded-proxy', '--transport', 'wss', '--workers', '2', '--accounts', 'u{0001..0010}@lab.test', '--rate', '40', '--calls', '40', '--hold', '0.1', '--threshold', 'failed<0.1%'],
      { env: { SIPBOTS_PASSWORD: PASSWORD } },
    );
    const { code } = await cli.exit;
    expect(cli.stderr()).toBe('');
    expect(code).toBe(0);
    expect(cli.stdout()).toContain('over wss');
    expect(cli.stdout()).toContain('2 thread(s)');
    expect(cli.stdout()).toMatch(/attempted 40 {2}succeeded 40 {2}failed 0 /);
  }, 120_000);

  it('--insecure skips verification of an untrusted certificate, with a warning on stderr', async () => {
    const { address, port } = server.endpoints.get('tls')!;
    const run = await runSipbots(
      ['load', '--proxy', `${address}:${port}`, '--transport', 'tls', '--insecure', '--accounts', 'u{0001..0004}@lab.test', '--rate', '20', '--calls', '4', '--hold', '0.1'],
      { SIPBOTS_PASSWORD: PASSWORD },
    );
    expect(run.stderr).toContain('warning: --insecure');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/attempted 4 {2}succeeded 4 {2}failed 0 /);
  });

  it('without --ca or --insecure an untrusted proxy certificate stops the load: exit 3 naming the certificate', async () => {
    const { address, port } = server.endpoints.get('tls')!;
    const run = await runSipbots(
      ['load', '--proxy', `${address}:${port}`, '--transport', 'tls', '--accounts', 'u{0001..0004}@lab.test', '--rate', '20', '--calls', '4'],
      { SIPBOTS_PASSWORD: PASSWORD },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/certificate not trusted/);
  });
});
