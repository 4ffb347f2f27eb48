import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { startDnsmasq, type Dnsmasq } from '../support/dnsmasq.js';
import { failures, readJsonl, runLabJson } from '../support/lab-run.js';

/**
 * RFC 3263 §4.3 failover from an IPv4 target to an IPv6 one, in the lab, whose bots each bind
 * their own 127.0.1.N (src/lab/lab-addresses.ts). A UDP socket bound to 127.0.1.N cannot send
 * to [::1]: the bot that moves to a target of the other family opens its socket again in that
 * family (::1), so the party addresses stay wherever the server is IPv4 and failover still works.
 */
const USERS = new Map([
  ['alice', 'alice-secret'],
  ['bob', 'bob-secret'],
  ['carol', 'carol-secret'],
]);
let proxy: EmbeddedServer | undefined;
let dns: Dnsmasq | undefined;

afterEach(async () => {
  await proxy?.stop();
  await dns?.stop();
  proxy = undefined;
  dns = undefined;
});

/** A UDP port on 127.0.0.1 nobody listens on (bound, then closed): requests there get no answer. */
async function deadUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

type Sip = { type: string; party: string; direction: string; method?: string; local: { address: string }; remote: { address: string; port: number } };

describe('failover from IPv4 to IPv6 with the lab’s per-party addresses', () => {
  it('SRV: first an IPv4 target that never answers, then the proxy on [::1]; the bots register there and the cases pass', async () => {
    proxy = await startEmbeddedServer({ transports: ['udp'], users: USERS, domain: 'lab.test', events: new EventStream(), bindAddress: '::1' });
    const port = proxy.endpoints.get('udp')!.port;
    const dead = await deadUdpPort();
    dns = await startDnsmasq({
      hosts: ['dead.lab.test,127.0.0.1', 'pbx.lab.test,::1'],
      srv: [`_sip._udp.lab.test,dead.lab.test,${dead},0,10`, `_sip._udp.lab.test,pbx.lab.test,${port},1,10`],
    });
    const { code, summary, dir } = await runLabJson(['--server', 'sip:lab.test', '--dns', dns.server, '--only', 'reject,answer-bye-caller', '--register-timeout', '2']);
    expect(failures(summary)).toBe('');
    expect(code).toBe(0);
    expect(summary.serverTarget).toBe(`SRV _sip._udp.lab.test → udp [::1]:${port} (pbx.lab.test)`);
    const sip = (readJsonl(dir) as Sip[]).filter((e) => e.type === 'sip');
    // The first REGISTERs went from each bot's own 127.0.1.N to the dead IPv4 target …
    const toDead = sip.filter((e) => e.remote.port === dead);
    expect(toDead.length).toBeGreaterThanOrEqual(3);
    expect(new Set(toDead.map((e) => e.local.address))).toEqual(new Set(['127.0.1.1', '127.0.1.2', '127.0.1.3']));
    // … everything after it over IPv6 to the live one.
    const rest = sip.filter((e) => e.remote.port !== dead);
    expect(new Set(rest.map((e) => `${e.local.address} ${e.remote.address}:${e.remote.port}`))).toEqual(new Set([`::1 ::1:${port}`]));
    expect(rest.some((e) => e.method === 'INVITE')).toBe(true);
  }, 90_000);
});
