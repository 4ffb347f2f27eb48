import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseDelayPair, parsePercentPair, FaultSpecError } from '../../src/relay/fault-spec.js';
import { RelayConfigError, startRelay, type Relay } from '../../src/relay/udp-relay.js';
import type { Endpoint } from '../../src/sip/transport/types.js';

/** A UDP peer on a free loopback port that records what it gets and can echo it back. */
async function peer(options: { echo?: boolean; address?: string } = {}) {
  const address = options.address ?? '127.0.0.1';
  const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  const received: { text: string; from: Endpoint; at: number }[] = [];
  socket.on('message', (data, rinfo) => {
    received.push({ text: data.toString(), from: { address: rinfo.address, port: rinfo.port }, at: Date.now() });
    if (options.echo) socket.send(`echo ${data.toString()}`, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
  const { port } = socket.address();
  return {
    endpoint: { address, port },
    received,
    send: (text: string, to: Endpoint) => new Promise<void>((resolve) => socket.send(text, to.port, to.address, () => resolve())),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

const until = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function relayTo(target: Endpoint, options: Partial<Parameters<typeof startRelay>[0]> = {}): Promise<Relay> {
  const relay = await startRelay({ target, seed: 7, ...options });
  cleanups.push(() => relay.stop());
  return relay;
}
async function newPeer(options: { echo?: boolean; address?: string } = {}) {
  const p = await peer(options);
  cleanups.push(p.close);
  return p;
}

describe('udp relay', () => {
  it('relays between [::1] clients and a [::1] target, upstream from ::1 too', async () => {
    const target = await newPeer({ echo: true, address: '::1' });
    const relay = await relayTo(target.endpoint, { listen: { address: '::1', port: 0 } });
    const alice = await newPeer({ address: '::1' });
    await alice.send('from alice', relay.endpoint);
    await until(() => alice.received.length === 1);
    expect(relay.endpoint.address).toBe('::1');
    expect(alice.received).toMatchObject([{ text: 'echo from alice', from: relay.endpoint }]);
    expect(target.received.map((r) => r.from.address)).toEqual(['::1']);
  });

  it('gives each client its own upstream address, so the target\'s replies reach the right client', async () => {
    const target = await newPeer({ echo: true });
    const relay = await relayTo(target.endpoint);
    const alice = await newPeer();
    const bob = await newPeer();
    await alice.send('from alice', relay.endpoint);
    await bob.send('from bob', relay.endpoint);
    await until(() => alice.received.length === 1 && bob.received.length === 1);
    expect(alice.received.map((r) => r.text)).toEqual(['echo from alice']);
    expect(bob.received.map((r) => r.text)).toEqual(['echo from bob']);
    expect(new Set(target.received.map((r) => r.from.port)).size).toBe(2);
    expect(relay.stats()).toMatchObject({ clients: 2, toTarget: { received: 2, forwarded: 2 }, toClient: { received: 2, forwarded: 2 } });
  });

  it('drops datagrams at the configured rate, the same ones for the same seed', async () => {
    const pattern = async (seed: number) => {
      const target = await newPeer();
      const relay = await relayTo(target.endpoint, { seed, toTarget: { loss: 0.3 } });
      const client = await newPeer();
      for (let i = 0; i < 400; i++) {
        await client.send(String(i), relay.endpoint);
        // Relay and peers share this event loop: pause so the kernel's receive buffer never overflows.
        if (i % 50 === 49) await new Promise((r) => setTimeout(r, 10));
      }
      await until(() => relay.stats().toTarget.received === 400 && target.received.length === relay.stats().toTarget.forwarded);
      return { kept: target.received.map((r) => r.text).join(','), stats: relay.stats().toTarget };
    };
    const first = await pattern(42);
    const again = await pattern(42);
    const other = await pattern(43);
    expect(first.stats.dropped).toBeGreaterThan(80);
    expect(first.stats.dropped).toBeLessThan(160);
    expect(again.kept).toBe(first.kept);
    expect(other.kept).not.toBe(first.kept);
  });

  it('only drops in the direction it is told to', async () => {
    const target = await newPeer({ echo: true });
    const relay = await relayTo(target.endpoint, { toClient: { loss: 1 } });
    const client = await newPeer();
    for (let i = 0; i < 5; i++) await client.send(`m${i}`, relay.endpoint);
    await until(() => relay.stats().toClient.dropped === 5);
    expect(target.received).toHaveLength(5);
    expect(client.received).toHaveLength(0);
  });

  it('duplicates, delays with jitter, and reorders', async () => {
    const target = await newPeer();
    const relay = await relayTo(target.endpoint, { toTarget: { duplicate: 1, delayMs: 60, jitterMs: 10 } });
    const client = await newPeer();
    const sentAt = Date.now();
    await client.send('once', relay.endpoint);
    await until(() => target.received.length === 2);
    expect(target.received.map((r) => r.text)).toEqual(['once', 'once']);
    for (const r of target.received) expect(r.at - sentAt).toBeGreaterThanOrEqual(45);

    const target2 = await newPeer();
    const shuffler = await relayTo(target2.endpoint, { seed: 3, toTarget: { reorder: 0.3, reorderHoldMs: 40 } });
    for (let i = 0; i < 30; i++) await client.send(String(i), shuffler.endpoint);
    await until(() => target2.received.length === 30);
    const order = target2.received.map((r) => Number(r.text));
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    expect(order).not.toEqual([...Array(30).keys()]);
    expect(shuffler.stats().toTarget.reordered).toBeGreaterThan(0);
  });

  it('reports every bad option at once', async () => {
    await expect(startRelay({ target: { address: 'example.com', port: 0 }, faults: { loss: 2, delayMs: -1 } })).rejects.toSatisfy(
      (e) => e instanceof RelayConfigError && e.problems.length === 6,
    );
  });

  it('parses the command-line spellings of faults', () => {
    expect(parsePercentPair('--loss', '10%')).toEqual([0.1, 0.1]);
    expect(parsePercentPair('--loss', '10%/20%')).toEqual([0.1, 0.2]);
    expect(parseDelayPair('--delay', '20ms±10ms')).toEqual([[20, 10], [20, 10]]);
    expect(parseDelayPair('--delay', '20ms+-5ms/0ms')).toEqual([[20, 5], [0, 0]]);
    expect(() => parsePercentPair('--loss', 'lots')).toThrow(FaultSpecError);
    expect(() => parseDelayPair('--delay', '20ms±x')).toThrow(FaultSpecError);
  });
});

describe('sipbots relay', () => {
  function io() {
    const controller = new AbortController();
    let stdout = '';
    let stderr = '';
    return {
      controller,
      out: () => stdout,
      err: () => stderr,
      io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {}, signal: controller.signal },
    };
  }

  it('prints where it listens, relays until interrupted, then prints its counters', async () => {
    const target = await newPeer({ echo: true });
    const cli = io();
    const exit = main(['relay', '--target', `127.0.0.1:${target.endpoint.port}`, '--loss', '0%', '--dup', '0%', '--delay', '5ms±2ms', '--seed', '1'], cli.io);
    await until(() => cli.out().includes('relay udp'));
    const port = Number(/relay udp 127\.0\.0\.1:(\d+)/.exec(cli.out())?.[1]);
    const client = await newPeer();
    await client.send('hello', { address: '127.0.0.1', port });
    await until(() => client.received.length === 1);
    cli.controller.abort();
    expect(await exit).toBe(130); // interrupted, like every other command (issue 14)
    expect(client.received[0]!.text).toBe('echo hello');
    expect(cli.out()).toMatch(/to target\s+received 1, forwarded 1, dropped 0/);
    expect(cli.out()).toMatch(/to clients\s+received 1, forwarded 1/);
  });

  it('refuses bad fault options with a usage error (exit 2)', async () => {
    for (const args of [['--loss', '150%'], ['--delay', 'soon'], ['--target', 'nowhere']]) {
      const cli = io();
      const argv = args[0] === '--target' ? ['relay', ...args] : ['relay', '--target', '127.0.0.1:5060', ...args];
      expect(await main(argv, cli.io)).toBe(2);
      expect(cli.err()).not.toBe('');
    }
  });
});
