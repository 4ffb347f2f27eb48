import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { startDnsmasq, type Dnsmasq } from '../support/dnsmasq.js';
import { runCli } from '../support/run-cli.js';

/**
 * `sipbots load --proxy sip:lab.test --dns …`: the load finds the proxy under test through
 * dnsmasq's NAPTR/SRV/AAAA/A records, with the same RFC 3263 code as lab and run.
 */
const PASSWORD = 'load-secret';
const env = { PATH: process.env.PATH, SIPBOTS_PASSWORD: PASSWORD };
const users = new Map(['u0001', 'u0002', 'u0003', 'u0004'].map((u) => [u, PASSWORD] as const));
let proxy: EmbeddedServer | undefined;
let dns: Dnsmasq | undefined;

afterEach(async () => {
  await proxy?.stop();
  await dns?.stop();
  proxy = undefined;
  dns = undefined;
});

async function load(args: string[]): Promise<{ code: number; stdout: string; stderr: string; result: LoadResult }> {
  const json = join(mkdtempSync(join(tmpdir(), 'sipbots-load-dns-')), 'result.json');
  const run = await runCli(['load', '--accounts', 'u{0001..0004}@lab.test', '--rate', '20', '--calls', '10', '--hold', '0.1', '--json', json, ...args], { env });
  return { ...run, result: JSON.parse(readFileSync(json, 'utf8')) as LoadResult };
}

describe('sipbots load against a domain located through DNS (RFC 3263)', () => {
  it('NAPTR chooses TCP, SRV gives the port: every call goes over TCP to the SRV target, and the output says how it was found', async () => {
    proxy = await startEmbeddedServer({ transports: ['udp', 'tcp'], users, domain: 'lab.test', events: new EventStream() });
    const tcp = proxy.endpoints.get('tcp')!.port;
    dns = await startDnsmasq({
      hosts: ['pbx.lab.test,127.0.0.1'],
      srv: [`_sip._tcp.lab.test,pbx.lab.test,${tcp},0,10`, `_sip._udp.lab.test,pbx.lab.test,${proxy.endpoints.get('udp')!.port},0,10`],
      naptr: ['lab.test,10,50,S,SIP+D2T,,_sip._tcp.lab.test', 'lab.test,20,50,S,SIP+D2U,,_sip._udp.lab.test'],
    });
    const { code, stdout, stderr, result } = await load(['--proxy', 'sip:lab.test', '--dns', dns.server]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const located = `NAPTR SIP+D2T → SRV _sip._tcp.lab.test → tcp 127.0.0.1:${tcp} (pbx.lab.test)`;
    expect(stdout).toContain(`proxy located: ${located}\n`);
    expect(stdout).toContain(`  located    ${located}\n`);
    expect(result.proxyLocated).toBe(located);
    expect(result.transport).toBe('tcp');
    expect(result.proxy).toBe(`127.0.0.1:${tcp}`);
    expect(result.counters).toMatchObject({ attempted: 10, succeeded: 10, failed: 0 });
    expect(dns.queries().map((q) => `${q.type} ${q.name}`).slice(0, 2)).toEqual(['NAPTR lab.test', 'SRV _sip._tcp.lab.test']);
  }, 60_000);

  it('dual stack: a name with A and AAAA, --bind ::1 prefers the AAAA address (the proxy listens only on [::1])', async () => {
    proxy = await startEmbeddedServer({ transports: ['udp'], users, domain: 'lab.test', events: new EventStream(), bindAddress: '::1' });
    const udp = proxy.endpoints.get('udp')!.port;
    dns = await startDnsmasq({ hosts: ['pbx.lab.test,127.0.0.1,::1'], srv: [`_sip._udp.lab.test,pbx.lab.test,${udp},0,10`] });
    const { code, result } = await load(['--proxy', 'lab.test', '--dns', dns.server, '--bind', '::1']);
    expect(code).toBe(0);
    expect(result.proxyLocated).toBe(`SRV _sip._udp.lab.test → udp [::1]:${udp} (pbx.lab.test)`);
    expect(result.transport).toBe('udp');
    expect(result.counters).toMatchObject({ attempted: 10, succeeded: 10, failed: 0 });
  }, 60_000);

  it('a name the DNS does not know: exit 2 naming it, before any call', async () => {
    dns = await startDnsmasq({ hosts: ['pbx.lab.test,127.0.0.1'] });
    const run = await runCli(['load', '--proxy', 'sip:nowhere.lab.test', '--dns', dns.server, '--accounts', 'u{1..2}@lab.test', '--rate', '1', '--calls', '1'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--proxy sip:nowhere.lab.test: cannot resolve nowhere.lab.test');
  }, 30_000);
});
