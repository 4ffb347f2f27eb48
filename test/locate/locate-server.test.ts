import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsLookups } from '../../src/sip/locate/dns-server.js';
import { locateServer, type LocateOptions } from '../../src/sip/locate/locate-server.js';
import { ServerLocator } from '../../src/sip/locate/server-locator.js';
import { orderSrv } from '../../src/sip/locate/srv-order.js';
import { startDnsmasq, type Dnsmasq } from '../support/dnsmasq.js';

/**
 * RFC 3263 §4 against a real DNS server (dnsmasq on loopback) serving lab.test:
 *   NAPTR lab.test: 10 SIP+D2T → _sip._tcp.lab.test, 20 SIP+D2U → _sip._udp.lab.test
 *   SRV _sip._udp: prio 0 a.lab.test:5071, prio 1 b.lab.test:5072; _sip._tcp: prio 0 a.lab.test:5073
 *   a.lab.test A 127.0.0.1 AAAA ::1; b.lab.test A 127.0.0.2; plain.test (no NAPTR, no SRV) A 127.0.0.3
 */
let dns: Dnsmasq;
let options: LocateOptions;

beforeAll(async () => {
  dns = await startDnsmasq({
    ttl: 1,
    hosts: ['a.lab.test,127.0.0.1,::1', 'b.lab.test,127.0.0.2', 'plain.lab.test,127.0.0.3'],
    srv: ['_sip._udp.lab.test,a.lab.test,5071,0,10', '_sip._udp.lab.test,b.lab.test,5072,1,10', '_sip._tcp.lab.test,a.lab.test,5073,0,10'],
    naptr: ['lab.test,10,50,S,SIP+D2T,,_sip._tcp.lab.test', 'lab.test,20,50,S,SIP+D2U,,_sip._udp.lab.test'],
  });
  options = { preferFamily: 4, dns: dnsLookups(dns.server), systemFallback: false, now: () => Date.now() };
});
afterAll(() => dns?.stop());

describe('RFC 3263 §4 server location against dnsmasq', () => {
  it('a domain without port: NAPTR picks the lowest order (SIP+D2T), SRV gives the port, A then AAAA the addresses', async () => {
    const located = await locateServer('sip:lab.test', options);
    expect(located.route).toBe('NAPTR SIP+D2T → SRV _sip._tcp.lab.test');
    expect(located.targets).toEqual([
      { address: '127.0.0.1', port: 5073, transport: 'tcp', host: 'a.lab.test' },
      { address: '::1', port: 5073, transport: 'tcp', host: 'a.lab.test' },
    ]);
    expect(located.expiresAt).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('dual stack: with an IPv6 bind address the AAAA address comes first, the A one after it', async () => {
    const located = await locateServer('sip:lab.test', { ...options, preferFamily: 6 });
    expect(located.targets.map((t) => t.address)).toEqual(['::1', '127.0.0.1']);
  });

  it(';transport=udp skips NAPTR (§4.1) and orders SRV targets by priority (§4.2)', async () => {
    const before = dns.queries().length;
    const located = await locateServer('sip:lab.test;transport=udp', options);
    expect(located.route).toBe('SRV _sip._udp.lab.test');
    expect(located.targets.map((t) => `${t.transport} ${t.address}:${t.port}`)).toEqual(['udp 127.0.0.1:5071', 'udp ::1:5071', 'udp 127.0.0.2:5072']);
    expect(dns.queries().slice(before).map((q) => q.type)).not.toContain('NAPTR');
  });

  it('the chosen --transport skips NAPTR like ;transport= does', async () => {
    expect((await locateServer('sip:lab.test', { ...options, transport: 'udp' })).targets[0]).toMatchObject({ transport: 'udp', port: 5071 });
  });

  it('an explicit port skips NAPTR and SRV: A/AAAA of the host on that port, UDP (§4.1, §4.2)', async () => {
    const before = dns.queries().length;
    const located = await locateServer('sip:b.lab.test:5999', options);
    expect(located.targets).toEqual([{ address: '127.0.0.2', port: 5999, transport: 'udp', host: 'b.lab.test' }]);
    expect(dns.queries().slice(before).map((q) => q.type).sort()).toEqual(['A', 'AAAA']);
  });

  it('a name with neither NAPTR nor SRV: its A record on the default port 5060', async () => {
    expect((await locateServer('sip:plain.lab.test', options)).targets).toEqual([{ address: '127.0.0.3', port: 5060, transport: 'udp', host: 'plain.lab.test' }]);
  });

  it('a numeric host asks DNS nothing', async () => {
    const before = dns.queries().length;
    expect((await locateServer('sip:[::1]:5080;transport=tcp', options)).targets).toEqual([{ address: '::1', port: 5080, transport: 'tcp', host: '::1' }]);
    expect(dns.queries().length).toBe(before);
  });

  it('a name that leads nowhere is a ServerUriError naming it', async () => {
    await expect(locateServer('sip:nowhere.lab.test', options)).rejects.toThrow(/cannot resolve nowhere\.lab\.test/);
  });

  it('the locator moves to the next target on failure (§4.3) and locates again once the TTL ran out', async () => {
    const located = await locateServer('sip:lab.test;transport=udp', options);
    const locator = new ServerLocator(located, 'udp', options);
    expect(locator.endpoint).toEqual({ address: '127.0.0.1', port: 5071 });
    expect(locator.failover('no answer')).toBe(true);
    expect(locator.endpoint).toEqual({ address: '::1', port: 5071 });
    expect(locator.failover('no answer')).toBe(true);
    expect(locator.failover('no answer')).toBe(false);
    expect(locator.endpoint).toEqual({ address: '127.0.0.2', port: 5072 });
    const srvQueries = () => dns.queries().filter((q) => q.name === '_sip._udp.lab.test').length;
    const before = srvQueries();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    void locator.endpoint;
    await locator.settled();
    expect(locator.lookups).toBe(2);
    expect(srvQueries()).toBe(before + 1);
    // Still listed after the fresh lookup: the current target stays.
    expect(locator.endpoint).toEqual({ address: '127.0.0.2', port: 5072 });
  });
});

describe('RFC 2782 SRV order', () => {
  it('lowest priority first; within a priority, weight decides the odds', () => {
    const records = [
      { name: 'backup', port: 1, priority: 20, weight: 0 },
      { name: 'heavy', port: 1, priority: 10, weight: 90 },
      { name: 'light', port: 1, priority: 10, weight: 10 },
      { name: '.', port: 1, priority: 5, weight: 0 },
    ];
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const firsts = Array.from({ length: 1000 }, () => orderSrv(records, random).map((r) => r.name));
    expect(new Set(firsts.map((o) => o[2]))).toEqual(new Set(['backup']));
    const heavyFirst = firsts.filter((o) => o[0] === 'heavy').length;
    expect(heavyFirst).toBeGreaterThan(820);
    expect(heavyFirst).toBeLessThan(970);
  });
});
