import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSipCaptureFile } from '../../src/capture/pcap-reader.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer } from '../../src/lab/embedded-server.js';
import { usersFromBots } from '../../src/proxy/users.js';
import { startRelay, type Relay } from '../../src/relay/udp-relay.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expectRunFolder, readJsonl, runLabJson } from '../support/lab-run.js';
import { runCli } from '../support/run-cli.js';

/** `sipbots lab` into a fresh folder, for runs that end in an error (no --json summary then). */
async function runLab(args: string[]) {
  const dir = join(mkdtempSync(join(tmpdir(), 'sipbots-dead-')), 'run');
  return { ...(await runCli(['lab', '--out', dir, ...args])), dir };
}

/** A loopback UDP "server" that answers every request with `status`, or never when undefined. */
async function fakeServer(status?: { code: number; reason: string }) {
  const socket = dgram.createSocket('udp4');
  let requests = 0;
  socket.on('message', (data, rinfo) => {
    requests++;
    if (!status) return;
    const text = data.toString('utf8');
    const headers = text.split('\r\n').filter((l) => /^(Via|v|From|f|To|t|Call-ID|i|CSeq)\s*:/i.test(l));
    socket.send(`SIP/2.0 ${status.code} ${status.reason}\r\n${headers.join('\r\n')}\r\nRetry-After: 60\r\nContent-Length: 0\r\n\r\n`, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { port: socket.address().port, requests: () => requests, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

async function freeUdpPort(): Promise<number> {
  const server = await fakeServer();
  await server.close();
  return server.port;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a dead or dying server', () => {
  it('absent: exits 3 within a few seconds with "no answer from …"', async () => {
    const port = await freeUdpPort();
    const started = Date.now();
    const { code, stderr, dir } = await runLab(['--server', `sip:127.0.0.1:${port};transport=udp`, '--register-timeout', '2', '--media', 'none']);
    const elapsed = Date.now() - started;
    expect(code).toBe(3);
    expect(stderr).toMatch(new RegExp(`no answer from sip:127\\.0\\.0\\.1:${port};transport=udp over udp after 2 s`));
    // After the 2 s --register-timeout, not after Timer F (32 s); the margin is for a starved machine.
    expect(elapsed).toBeLessThan(20_000);
    // Even a run that never got going leaves its folder: the unanswered REGISTERs are on record.
    expectRunFolder(dir);
    expect(readJsonl(dir).some((e) => e.type === 'sip' && String(e.startLine).startsWith('REGISTER'))).toBe(true);
  });

  it('never answering: the same typed error, after the REGISTER was retransmitted (Timer E)', async () => {
    const server = await fakeServer();
    cleanups.push(server.close);
    const { code, stderr } = await runLab(['--server', `sip:127.0.0.1:${server.port};transport=udp`, '--register-timeout', '2', '--media', 'none']);
    expect(code).toBe(3);
    expect(stderr).toMatch(/no answer from .* after 2 s/);
    // 3 bots, each REGISTER sent at 0, 0.5 and 1.5 s.
    expect(server.requests()).toBeGreaterThanOrEqual(9);
  });

  it('answering 503 with Retry-After: 60: exits 3 at once with the status, the reason and the wait the server asked for', async () => {
    const server = await fakeServer({ code: 503, reason: 'Service Unavailable' });
    cleanups.push(server.close);
    const started = Date.now();
    const { code, stderr } = await runLab(['--server', `sip:127.0.0.1:${server.port};transport=udp`, '--media', 'none']);
    expect(code).toBe(3);
    expect(stderr).toMatch(/could not register: 503 Service Unavailable/);
    expect(stderr).toMatch(/60 s: Retry-After/);
    // 60 s is more than the run waits to register (--register-timeout, default 8 s): not sat out.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('killed in the middle of a lab run: the run ends by itself and keeps everything exchanged before', async () => {
    const users = usersFromBots((await loadBotsFile('bots/lab.yaml', {})).bots.values());
    const server = await startEmbeddedServer({ transports: ['udp'], users, domain: 'lab.test', events: new EventStream() });
    cleanups.push(() => server.stop());
    // The bots reach the server through the relay; stopping the relay is the server vanishing
    // from the network mid-call (stopping the proxy itself is checked just after).
    const relay: Relay = await startRelay({ target: server.endpoints.get('udp')!, seed: 1 });
    cleanups.push(() => relay.stop());
    const started = Date.now();
    const running = runLabJson(['--server', `sip:127.0.0.1:${relay.endpoint.port};transport=udp`, '--media', 'none', '--only', 'reject,cancel']);
    // reject takes ~1.6 s; cancel rings, then CANCELs after 1 s: kill the server while it rings.
    await new Promise((r) => setTimeout(r, 2600));
    await relay.stop();
    await server.stop();
    const { code, summary, dir } = await running;
    const elapsed = Date.now() - started;
    expect([1, 3]).toContain(code);
    expect(elapsed).toBeLessThan(60_000);
    const reject = summary.cases.find((c) => c.id === 'reject');
    expect(reject?.passed).toBe(true);
    expect(summary.cases.find((c) => c.id === 'cancel')?.passed).toBe(false);

    // Everything before the fault is on record: JSONL, the capture and the report.
    const events = readJsonl(dir);
    const busyInJsonl = events.filter((e) => e.type === 'sip' && e.party === 'alice' && String(e.startLine).startsWith('SIP/2.0 486'));
    expect(busyInJsonl.length).toBeGreaterThan(0);
    const capture = await readSipCaptureFile(join(dir, 'signaling.pcapng'), { allowTruncated: true });
    expect(capture.messages.some((m) => m.startLine?.startsWith('SIP/2.0 486'))).toBe(true);
    expect(capture.messages.length).toBeGreaterThanOrEqual(events.filter((e) => e.type === 'sip').length / 2);
    const report = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(report).toContain('486');
    expect(report).toContain('cancel');
    console.info(`[faults] server killed mid-run: exit ${code} after ${(elapsed / 1000).toFixed(1)} s; ${events.length} events kept`);
  }, 90_000);
});
