import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';
import { LAB_CASE_IDS } from '../../src/lab/lab-cases.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { usersFromBots } from '../../src/proxy/users.js';
import { startDnsmasq, type Dnsmasq } from '../support/dnsmasq.js';
import { failures, readJsonl, runLabJson } from '../support/lab-run.js';

/**
 * `sipbots lab --server sip:lab.test --dns …`: the bots find the embedded proxy through
 * dnsmasq's NAPTR/SRV/A records for lab.test, as a softphone finds a provider (RFC 3263).
 */
let proxy: EmbeddedServer;
/** Every case a server the lab does not configure can play (no-answer-as-captured needs the embedded proxy's iptel.org 408). */
const EXTERNAL_CASES = LAB_CASE_IDS.filter((id) => id !== 'no-answer-as-captured');
let dns: Dnsmasq | undefined;

beforeEach(async () => {
  const bots = await loadBotsFile('bots/lab.yaml', {});
  // An external server to the lab: it runs the 3 s fr_inv_timer no-answer-proxy-408 expects (the default is 120 s).
  proxy = await startEmbeddedServer({ transports: ['udp', 'tcp'], users: usersFromBots(bots.bots.values()), domain: 'lab.test', events: new EventStream(), inviteTimeoutMs: 3000 });
});
afterEach(async () => {
  await proxy.stop();
  await dns?.stop();
  dns = undefined;
});

/** A TCP port nobody listens on (bound, then closed): connecting to it is refused at once. */
async function deadTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the lab against a domain located through DNS (RFC 3263)', () => {
  it('SRV for _sip._udp leads to the lab proxy: the whole lab passes, and the output names the target', async () => {
    const port = proxy.endpoints.get('udp')!.port;
    dns = await startDnsmasq({ hosts: ['pbx.lab.test,127.0.0.1'], srv: [`_sip._udp.lab.test,pbx.lab.test,${port},0,10`] });
    const { code, summary } = await runLabJson(['--server', 'sip:lab.test', '--dns', dns.server, '--only', EXTERNAL_CASES.join(',')]);
    expect(failures(summary)).toBe('');
    expect(code).toBe(0);
    expect(summary.cases.map((c) => c.id)).toEqual(EXTERNAL_CASES);
    expect(summary.transport).toBe('udp');
    expect(summary.serverTarget).toBe(`SRV _sip._udp.lab.test → udp 127.0.0.1:${port} (pbx.lab.test)`);
    expect(dns.queries().map((q) => `${q.type} ${q.name}`).slice(0, 2)).toEqual(['NAPTR lab.test', 'SRV _sip._udp.lab.test']);
  }, 120_000);

  it('NAPTR chooses TCP; the first SRV target refuses the connection and the bots fail over to the next (§4.3)', async () => {
    const port = proxy.endpoints.get('tcp')!.port;
    const dead = await deadTcpPort();
    dns = await startDnsmasq({
      hosts: ['pbx.lab.test,127.0.0.1', 'dead.lab.test,127.0.0.1'],
      srv: [`_sip._tcp.lab.test,dead.lab.test,${dead},0,10`, `_sip._tcp.lab.test,pbx.lab.test,${port},1,10`, `_sip._udp.lab.test,pbx.lab.test,${proxy.endpoints.get('udp')!.port},0,10`],
      naptr: ['lab.test,10,50,S,SIP+D2T,,_sip._tcp.lab.test', 'lab.test,20,50,S,SIP+D2U,,_sip._udp.lab.test'],
    });
    const { code, summary, dir } = await runLabJson(['--server', 'sip:lab.test', '--dns', dns.server, '--only', 'reject', '--register-timeout', '3']);
    expect(failures(summary)).toBe('');
    expect(code).toBe(0);
    expect(summary.transport).toBe('tcp');
    expect(summary.serverTarget).toBe(`NAPTR SIP+D2T → SRV _sip._tcp.lab.test → tcp 127.0.0.1:${port} (pbx.lab.test)`);
    const sip = readJsonl(dir).filter((e) => e.type === 'sip') as Array<{ transport: string; remote: { port: number } }>;
    expect(new Set(sip.map((e) => e.transport))).toEqual(new Set(['tcp']));
    expect(sip.some((e) => e.remote.port === dead)).toBe(false);
  }, 60_000);

  it('a run longer than the TTL locates the server again while it runs', async () => {
    const port = proxy.endpoints.get('udp')!.port;
    dns = await startDnsmasq({ ttl: 1, hosts: ['pbx.lab.test,127.0.0.1'], srv: [`_sip._udp.lab.test,pbx.lab.test,${port},0,10`] });
    const started = Date.now();
    const { code, summary } = await runLabJson(['--server', 'sip:lab.test;transport=udp', '--dns', dns.server, '--only', 'reject,answer-bye-caller']);
    expect(failures(summary)).toBe('');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(3000);
    // One lookup to start, then fresh ones as the 1 s TTL keeps running out during the calls.
    expect(dns.queries().filter((q) => q.type === 'SRV').length).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
