import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { usersFromBots } from '../../src/proxy/users.js';
import { runCli } from '../support/run-cli.js';

/**
 * Issue 14 item 9: a TLS failure in lab or run (a certificate nobody vouched for, the wrong CA,
 * a server that does not speak TLS) is a TLS error naming the server and the fix (--ca,
 * --insecure), exit 3, not `alice could not register: 503 Service Unavailable`.
 */
let proxy: EmbeddedServer;
let notTls: Server;
let notTlsPort: number;
const dir = mkdtempSync(join(tmpdir(), 'sipbots-tls-'));

beforeAll(async () => {
  const bots = await loadBotsFile('bots/lab.yaml', {});
  proxy = await startEmbeddedServer({ transports: ['tls'], users: usersFromBots(bots.bots.values()), domain: 'lab.test', events: new EventStream() });
  writeFileSync(join(dir, 'proxy.pem'), proxy.certificate!);
  // A certificate of another lab: a CA that did not sign the proxy's.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=other.test', '-keyout', join(dir, 'other.key'), '-out', join(dir, 'other.pem')], { stdio: 'pipe' });
  // Plain bytes where a TLS server should be: the ClientHello gets a SIP error back.
  notTls = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.end('SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
  });
  await new Promise<void>((done) => notTls.listen(0, '127.0.0.1', done));
  notTlsPort = (notTls.address() as { port: number }).port;
}, 120_000);

afterAll(async () => {
  const closed = new Promise<void>((done) => (notTls ? notTls.close(() => done()) : done()));
  await proxy?.stop();
  await closed;
});

const server = () => `sip:127.0.0.1:${proxy.endpoints.get('tls')!.port};transport=tls`;
const fix = /trust the server's CA \(or its self-signed certificate\) with --ca FILE, or skip verification with --insecure/;
const out = (name: string) => ['--out', join(dir, name), '--media', 'none'];

describe('TLS failures in lab and run (issue 14 item 9)', () => {
  it('lab against a self-signed proxy: exit 3, a TLS error naming the server and --ca / --insecure, no 503', async () => {
    const { code, stderr } = await runCli(['lab', '--server', server(), '--only', 'reject', ...out('lab-untrusted')]);
    expect(code).toBe(3);
    const last = stderr.trim().split('\n').at(-1)!;
    expect(last).toContain(`could not register: TLS with ${server()} failed: certificate not trusted (self-signed certificate)`);
    expect(last).toMatch(fix);
    expect(last).not.toMatch(/\b503\b/); // a word, not a digit run: the port may hold "503"
  }, 60_000);

  it('run with the wrong --ca: exit 3, the same TLS error', async () => {
    const { code, stderr } = await runCli(['run', 'scenarios/lab/reject.yaml', '--server', server(), '--ca', join(dir, 'other.pem'), ...out('run-wrong-ca')]);
    expect(code).toBe(3);
    expect(stderr).toMatch(new RegExp(`TLS with ${server().replace(/[.;]/g, '\\$&')} failed: certificate not trusted`));
    expect(stderr).toMatch(fix);
  }, 60_000);

  it('run against a port that does not speak TLS: exit 3, a failed handshake with the fix named', async () => {
    const plain = `sip:127.0.0.1:${notTlsPort};transport=tls`;
    const { code, stderr } = await runCli(['run', 'scenarios/lab/reject.yaml', '--server', plain, ...out('run-not-tls')]);
    expect(code).toBe(3);
    expect(stderr).toMatch(new RegExp(`TLS with ${plain.replace(/[.;]/g, '\\$&')} failed: handshake failed \\(`));
    expect(stderr).toMatch(fix);
  }, 60_000);

  it('run with the right --ca passes (verification stays on and works)', async () => {
    const { code, stderr } = await runCli(['run', 'scenarios/lab/reject.yaml', '--server', server(), '--ca', join(dir, 'proxy.pem'), ...out('run-right-ca')]);
    expect(stderr).not.toMatch(/TLS with/);
    expect(code).toBe(0);
  }, 60_000);
});
