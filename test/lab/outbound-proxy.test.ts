import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { failures, readJsonl, runLabJson } from '../support/lab-run.js';
import { runCli } from '../support/run-cli.js';

/**
 * A provider whose domain is not its proxy (a softphone's "domain" vs "outbound proxy"): the
 * bots' AOR stays user@lab.test, every request goes to the proxy at 127.0.0.1:P and carries
 * `Route: <sip:127.0.0.1:P;lr>` (RFC 3261 §8.1.2); the proxy removes its own Route (§16.4).
 */
let proxy: EmbeddedServer;
let port: number;
const USERS = new Map([
  ['alice', 'alice-secret'],
  ['bob', 'bob-secret'],
  ['carol', 'carol-secret'],
]);

beforeAll(async () => {
  proxy = await startEmbeddedServer({ transports: ['udp'], users: USERS, domain: 'lab.test', events: new EventStream() });
  port = proxy.endpoints.get('udp')!.port;
});
afterAll(() => proxy?.stop());

function botsFile(extra: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sipbots-outbound-')), 'bots.yaml');
  const bots = [...USERS].map(([user, password]) => `  ${user}:\n    user: ${user}\n    password: ${password}\n`).join('');
  writeFileSync(file, `defaults:\n  domain: lab.test\n${extra}bots:\n${bots}`);
  return file;
}

type Sip = SipMessageEvent & Record<string, unknown>;

describe('an outbound proxy distinct from the domain (RFC 3261 §8.1.2)', () => {
  it("the bots file's outboundProxy: requests go there with a Route ;lr, the Request-URIs keep the domain, and the lab passes", async () => {
    const route = `<sip:127.0.0.1:${port};lr>`;
    const { code, summary, dir } = await runLabJson(['--bots', botsFile(`  outboundProxy: sip:127.0.0.1:${port}\n`), '--only', 'reject,cancel,answer-bye-caller']);
    expect(failures(summary)).toBe('');
    expect(code).toBe(0);
    expect(summary.serverKind).toBe('external');
    expect(summary.outboundProxy).toBe(`sip:127.0.0.1:${port}`);

    const sent = (readJsonl(dir) as Sip[]).filter((e) => e.type === 'sip' && e.direction === 'out' && e.method !== undefined);
    expect(new Set(sent.map((e) => e.remote.port))).toEqual(new Set([port]));
    const routeOf = (e: Sip): string[] => [...e.raw.matchAll(/^Route: (.*?)\r?$/gim)].map((m) => m[1]!);
    const outOfDialog = sent.filter((e) => !/^To: [^\r\n]*;tag=/im.test(e.raw));
    for (const method of ['REGISTER', 'INVITE', 'CANCEL']) expect(outOfDialog.some((e) => e.method === method), method).toBe(true);
    for (const e of outOfDialog) expect(routeOf(e), `${e.startLine}`).toEqual([route]);
    expect(outOfDialog.find((e) => e.method === 'REGISTER')!.startLine).toBe('REGISTER sip:lab.test SIP/2.0');
    expect(outOfDialog.find((e) => e.method === 'INVITE')!.startLine).toMatch(/^INVITE sip:(bob|carol)@lab\.test SIP\/2\.0$/);
    // In the dialog the route set is the proxy's Record-Route (§12.2.1.1), not the preloaded one.
    const bye = sent.find((e) => e.method === 'BYE')!;
    expect(routeOf(bye)).toHaveLength(1);
    expect(routeOf(bye)[0]).toMatch(new RegExp(`^<sip:127\\.0\\.0\\.1:${port};[^>]*lr`));
  }, 60_000);

  it('--outbound-proxy on the command line does the same for a bots file without one', async () => {
    const { code, summary, dir } = await runLabJson(['--bots', botsFile(''), '--outbound-proxy', `sip:127.0.0.1:${port}`, '--only', 'reject']);
    expect(failures(summary)).toBe('');
    expect(code).toBe(0);
    const register = (readJsonl(dir) as Sip[]).find((e) => e.type === 'sip' && e.direction === 'out' && e.method === 'REGISTER')!;
    expect(register.raw).toMatch(new RegExp(`^Route: <sip:127\\.0\\.0\\.1:${port};lr>\\r?$`, 'm'));
  }, 60_000);

  it('a server and an outbound proxy together: exit 2 before anything is sent, saying to keep one', async () => {
    const { code, stdout, stderr } = await runCli(['lab', '--json', '--bots', botsFile(`  outboundProxy: sip:127.0.0.1:${port}\n`), '--server', 'sip:127.0.0.1:5060']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('both a server (sip:127.0.0.1:5060) and an outbound proxy');
  });
});
