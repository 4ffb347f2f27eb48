import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { usersFromBots } from '../../src/proxy/users.js';
import { readJsonl } from '../support/lab-run.js';
import { runCli } from '../support/run-cli.js';
import { startUdpForwarder, type UdpForwarder } from '../support/udp-forwarder.js';
import { tshark } from './fixtures/tshark.js';

/*
 * One lost datagram, one resend: the forwarder in front of the proxy swallows alice's INVITE
 * with credentials once; her transaction sends it again after T1 (RFC 3261 §17.1.1.2), and
 * tshark's sip,stat counts exactly that copy as resent.
 */
describe('a retransmission in signaling.pcapng, as tshark counts it', () => {
  let server: EmbeddedServer;
  let forwarder: UdpForwarder;
  let dir: string;
  beforeAll(async () => {
    const bots = await loadBotsFile('bots/lab.yaml', {});
    server = await startEmbeddedServer({ transports: ['udp'], users: usersFromBots(bots.bots.values()), domain: 'lab.test', events: new EventStream() });
    let swallowed = false;
    forwarder = await startUdpForwarder(server.endpoints.get('udp')!, (datagram) => {
      if (swallowed || !datagram.startsWith('INVITE ') || !/^Proxy-Authorization:/m.test(datagram)) return false;
      swallowed = true;
      return true;
    });
    dir = join(mkdtempSync(join(tmpdir(), 'sipbots-resend-')), 'run');
    const result = await runCli(['run', '--json', '--out', dir, '--media', 'none', 'scenarios/lab/reject.yaml', '--server', `sip:127.0.0.1:${forwarder.endpoint.port}`]);
    expect(result.code, result.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await forwarder?.stop();
    await server?.stop();
  });

  it('flags the INVITE sent again, once, and every other resend the run really made', () => {
    expect(forwarder.dropped).toHaveLength(1);
    const sip = readJsonl(dir).filter((e) => e.type === 'sip') as unknown as SipMessageEvent[];
    const resentInvites = sip.filter((e) => e.direction === 'out' && e.retransmission && e.method === 'INVITE');
    expect(resentInvites.length).toBeGreaterThanOrEqual(1);
    const file = join(dir, 'signaling.pcapng');
    const flagged = tshark(['-r', file, '-Y', 'sip.resend == 1', '-T', 'fields', '-e', 'sip.CSeq', '-e', 'frame.comment']).trim().split('\n');
    expect(flagged).toContain('2 INVITE\tparty=alice case=reject alice -> ?: SIP over UDP retransmission');
    // Every frame flagged repeats an earlier frame's flow and bytes: a real resend, never a second view.
    const frames = sip.map((e) => {
      const [source, destination] = e.direction === 'out' ? [e.local, e.remote] : [e.remote, e.local];
      return `${source.address}:${source.port}>${destination.address}:${destination.port}|${e.raw}`;
    });
    const numbers = tshark(['-r', file, '-Y', 'sip.resend == 1', '-T', 'fields', '-e', 'frame.number']).trim().split('\n').map(Number);
    for (const n of numbers) expect(frames.slice(0, n - 1), `frame ${n}`).toContain(frames[n - 1]);
    // On a machine that did not starve the bots, that INVITE is the run's only repeat and the count is 1.
    if (new Set(frames).size === frames.length - 1) expect(tshark(['-r', file, '-q', '-z', 'sip,stat'])).toContain('Number of resent SIP messages: 1\n');
  });
});
