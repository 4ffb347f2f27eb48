import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { usersFromBots } from '../../src/proxy/users.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli.js';

/**
 * Issue 14 item 4: TCP/TLS/WS listeners had no idle timeout and no connection cap; a request
 * with `Content-Length: 500` and 5 body bytes held its connection forever, and 510 idle or
 * half-sent connections were all kept. Now a connection owing a message is closed after the
 * idle timeout, the excess over the cap is refused, and keep-alive CRLFs between messages do
 * not count as owing anything.
 */
let server: EmbeddedServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.stop();
  server = undefined;
});

const IDLE_MS = 1000;

async function start(maxConnections = 1000): Promise<EmbeddedServer> {
  server = await startEmbeddedServer({
    transports: ['tcp', 'ws'],
    users: new Map([['alice', 'alice-secret']]),
    domain: 'lab.test',
    events: new EventStream(),
    limits: { idleTimeoutMs: IDLE_MS, maxConnections },
  });
  return server;
}

function tcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
    sockets.push(socket);
  });
}

/** Resolves with how long after `since` the peer closed the connection. */
function closedAfter(socket: Socket, since: number): Promise<number> {
  return new Promise((resolve) => socket.once('close', () => resolve(Date.now() - since)));
}

const HALF_SENT = [
  'MESSAGE sip:alice@lab.test SIP/2.0',
  'Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKslow',
  'From: <sip:x@lab.test>;tag=1',
  'To: <sip:alice@lab.test>',
  'Call-ID: slow@test',
  'CSeq: 1 MESSAGE',
  'Content-Length: 500',
  '',
  'hello',
].join('\r\n');

const OPTIONS = (n: number) =>
  [`OPTIONS sip:lab.test SIP/2.0`, `Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKka${n}`, 'From: <sip:x@lab.test>;tag=1', 'To: <sip:lab.test>', `Call-ID: ka${n}@test`, `CSeq: ${n} OPTIONS`, 'Content-Length: 0', '', ''].join('\r\n');

describe('slow and idle connections (issue 14 item 4)', () => {
  it('a half-sent TCP message (Content-Length 500, 5 bytes) and a silent TCP connection are closed after the idle timeout', async () => {
    const port = (await start()).endpoints.get('tcp')!.port;
    const half = await tcp(port);
    const silent = await tcp(port);
    const sentAt = Date.now();
    half.write(HALF_SENT);
    const [halfMs, silentMs] = await Promise.all([closedAfter(half, sentAt), closedAfter(silent, sentAt)]);
    expect(halfMs).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(halfMs).toBeLessThan(IDLE_MS + 3000);
    expect(silentMs).toBeLessThan(IDLE_MS + 3000);
  }, 30_000);

  it('a half-sent WebSocket frame is closed after the idle timeout', async () => {
    const port = (await start()).endpoints.get('ws')!.port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, 'sip');
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    // A whole message first, answered: the flow is in use, and only the partial frame owes.
    const answered = new Promise<void>((resolve) => ws.once('message', () => resolve()));
    ws.send(OPTIONS(9).replace('SIP/2.0/TCP', 'SIP/2.0/WS'));
    await answered;
    const raw = (ws as unknown as { _socket: Socket })._socket;
    const sentAt = Date.now();
    // A masked text frame announcing 100 bytes, of which 4 arrive.
    raw.write(Buffer.from([0x81, 0x80 | 100, 1, 2, 3, 4, 0x41, 0x42, 0x43, 0x44]));
    const closedMs = await new Promise<number>((resolve) => ws.once('close', () => resolve(Date.now() - sentAt)));
    expect(closedMs).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(closedMs).toBeLessThan(IDLE_MS + 3000);
  }, 30_000);

  it('a flow that sent a message and then only keep-alive CRLFs stays open past the timeout', async () => {
    const port = (await start()).endpoints.get('tcp')!.port;
    const flow = await tcp(port);
    let answers = '';
    flow.on('data', (d: Buffer) => (answers += d.toString()));
    flow.write(OPTIONS(1));
    let closed = false;
    flow.once('close', () => (closed = true));
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, IDLE_MS / 2));
      flow.write('\r\n\r\n');
    }
    flow.write(OPTIONS(2));
    await new Promise((r) => setTimeout(r, 300));
    expect(closed).toBe(false);
    expect(answers.match(/^SIP\/2\.0 200 OK/gm)).toHaveLength(2);
  }, 30_000);

  it('past the connection cap new connections are refused while a complete request still gets its answer', async () => {
    const port = (await start(50)).endpoints.get('tcp')!.port;
    const held = await Promise.all(Array.from({ length: 50 }, () => tcp(port)));
    for (const socket of held) socket.write(HALF_SENT);
    const extra = await tcp(port);
    const refusedMs = await closedAfter(extra, Date.now());
    expect(refusedMs).toBeLessThan(IDLE_MS);
    // Once the idle timeout frees the slots, a real request gets through.
    await new Promise((r) => setTimeout(r, IDLE_MS + 1500));
    const later = await tcp(port);
    let answer = '';
    later.on('data', (d: Buffer) => (answer += d.toString()));
    later.write(OPTIONS(3));
    await new Promise((r) => setTimeout(r, 500));
    expect(answer).toMatch(/^SIP\/2\.0 200 OK/);
  }, 30_000);

  it('a lab call over TCP passes while 500 half-sent connections are held (default cap 1,000)', async () => {
    const bots = await loadBotsFile('bots/lab.yaml', {});
    server = await startEmbeddedServer({ transports: ['tcp'], users: usersFromBots(bots.bots.values()), domain: 'lab.test', events: new EventStream() });
    const port = server.endpoints.get('tcp')!.port;
    const held = await Promise.all(Array.from({ length: 500 }, () => tcp(port)));
    for (const socket of held) socket.write(HALF_SENT);
    const out = join(mkdtempSync(join(tmpdir(), 'sipbots-slowloris-')), 'run');
    const { code, stdout } = await runCli(['lab', '--server', `sip:127.0.0.1:${port};transport=tcp`, '--only', 'reject', '--media', 'none', '--out', out]);
    expect(stdout).toMatch(/PASS\s+reject/);
    expect(code).toBe(0);
    expect(held.filter((socket) => socket.destroyed)).toEqual([]);
  }, 60_000);
});
