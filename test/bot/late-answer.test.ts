import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { createSipSocket } from '../../src/sip/transport/create-sip-socket.js';
import type { SipSocket } from '../../src/sip/transport/types.js';
import { TestPhone, type Received } from '../proxy/support/phone.js';
import { runCli } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sipbots-late-answer-'));
const botsFile = join(dir, 'bots.yaml');
writeFileSync(botsFile, ['defaults: { domain: lab.test, transport: udp, expires: 60 }', 'bots:', '  alice: { user: alice, password: alice-pw }', ''].join('\n'));

/** Alice calls bob, a scripted phone that answers just as the proxy's INVITE timer (1 s) gives up. */
const scenario = join(dir, 'late-answer.yaml');
writeFileSync(
  scenario,
  [
    'id: late-answer',
    'title: The callee answers as the proxy gives up',
    'roles: { caller: alice, callee: alice }',
    'steps:',
    '  - call: { from: caller, to: "sip:bob@lab.test", name: main }',
    '    waitFor: terminated',
    // Room for the late 200's ACK, BYE and 200/BYE on a starved machine before the case ends.
    '  - wait: 3s',
    'expect:',
    '  call: main',
    '  status: 408',
    '  legs:',
    '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <180, <408, ACK>, <200/INVITE, ACK>, BYE>, <200/BYE]',
    '',
  ].join('\n'),
);

/** Waits (real time, up to 20 s: the run starts its bots first) until `phone` has received something `match` accepts. */
async function received(phone: TestPhone, match: (r: Received) => boolean, what: string): Promise<Received> {
  for (let i = 0; i < 800; i++) {
    const found = phone.inbox.find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`bob never got ${what}; got ${phone.ladder().join(' | ')}`);
}

const isRequest = (method: string) => (r: Received) => r.message.kind === 'request' && r.message.method === method;

let server: EmbeddedServer;
let socket: SipSocket;

beforeAll(async () => {
  const users = new Map([
    ['alice', 'alice-pw'],
    ['bob', 'bob-pw'],
  ]);
  server = await startEmbeddedServer({ transports: ['udp'], users, domain: 'lab.test', events: new EventStream(), inviteTimeoutMs: 1000 });
  socket = createSipSocket({ protocol: 'udp' });
  await socket.open();
});

afterAll(async () => {
  await socket?.close();
  await server?.stop();
});

describe('a 200 that comes after the proxy answered 408 (its INVITE timer raced the callee)', () => {
  it('is ACKed and ended with BYE by the caller (RFC 3261 §13.2.2.4), and the case says so', async () => {
    const proxy = server.endpoints.get('udp')!;
    const bob = new TestPhone(socket, 'bob', 'bob-pw', () => proxy);
    const first = bob.request('REGISTER', 'sip:lab.test', { to: '<sip:bob@lab.test>' });
    await bob.send(first);
    const challenge = await received(bob, (r) => r.message.kind === 'response' && r.message.status === 401, '401');
    await bob.send(bob.withCredentials(first, challenge.message as never));
    await received(bob, (r) => r.message.kind === 'response' && r.message.status === 200, 'the REGISTER 200');

    const run = runCli(['run', scenario, '--bots', botsFile, '--server', `sip:127.0.0.1:${proxy.port}`, '--media', 'none', '--json', '--out', join(dir, 'run')]);
    const invite = await received(bob, isRequest('INVITE'), 'the INVITE');
    await bob.respond(invite, 180, 'Ringing');
    // The proxy's timer fires 1 s after the 180: CANCEL to bob, 408 to alice. Bob's 200 crosses
    // the CANCEL on the wire (he answered it before it arrived), then he answers the CANCEL.
    const cancel = await received(bob, isRequest('CANCEL'), 'the CANCEL');
    await bob.respond(invite, 200, 'OK');
    await bob.respond(cancel, 200, 'OK');
    const ack = await received(bob, isRequest('ACK'), "alice's ACK for the 200");
    const bye = await received(bob, isRequest('BYE'), "alice's BYE");
    await bob.respond(bye, 200, 'OK');

    const result = await run;
    const summary = JSON.parse(result.stdout) as RunSummary;
    const [late] = summary.cases;
    expect(late!.difference ?? late!.error).toBeUndefined();
    expect(result.code).toBe(0);
    expect(late!.legs.caller.filter((t) => t !== '<100')).toEqual(['INVITE>', '<407', 'ACK>', 'INVITE>', '<180', '<408', 'ACK>', '<200/INVITE', 'ACK>', 'BYE>', '<200/BYE']);
    expect(late!.findings).toEqual([expect.objectContaining({ party: 'alice', message: expect.stringMatching(/^200 OK came after the call had ended with 408 Request Timeout.*ACKed and hung up with BYE/) })]);

    // The ACK and BYE are in the dialog bob's 200 made: his To tag, his Contact as Request-URI,
    // the proxy's Record-Route as Route; the BYE one CSeq above the INVITE.
    const sent = (method: string) => readJsonl(join(dir, 'run', 'messages.jsonl')).find((e) => e.party === 'alice' && e.direction === 'out' && e.method === method && /tag=tt-bob/.test(e.raw))!;
    const inviteCseq = Number((invite.message.headers.find((h) => h.key === 'cseq')!.value).split(' ')[0]);
    expect(sent('ACK').cseq).toBe(`${inviteCseq} ACK`);
    expect(sent('BYE').cseq).toBe(`${inviteCseq + 1} BYE`);
    expect(sent('BYE').raw).toMatch(new RegExp(`^BYE ${bob.contact().replace(/[.]/g, '\\.')} SIP/2\\.0`));
    expect(sent('BYE').raw).toMatch(new RegExp(`\r\nRoute: <sip:127\\.0\\.0\\.1:${proxy.port};[^>]*\\blr\\b[^>]*>\r\n`));
    expect(ack.raw).toMatch(/To: [^\r\n]*tag=tt-bob/);

    const report = readFileSync(join(dir, 'run', 'report.html'), 'utf8');
    expect(report).toContain('200 OK came after the call had ended with 408 Request Timeout');
  }, 60_000);
});

function readJsonl(file: string): SipMessageEvent[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SipMessageEvent)
    .filter((e) => e.type === 'sip');
}
