import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/config/load-scenario.js';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import { compileScenario } from '../../src/load/plan/compile-scenario.js';
import { LoadEngine, type EngineOptions } from '../../src/load/engine/load-engine.js';
import { mergeSnapshots } from '../../src/load/results/load-stats.js';
import { runCli } from '../support/run-cli.js';

/**
 * Lab scenario files played as load: 50 calls at 25 CPS through the embedded proxy, the
 * callee side scripted by the file. What the proxy received shows who did what on the wire.
 */
const PASSWORD = 'scenario-load-secret';
const accounts = expandAccountPattern('u{0001..0020}@lab.test', PASSWORD);
let server: EmbeddedServer;
let dir: string;
const events = new EventStream();
/** What reached the proxy, per Call-ID: `METHOD cseq` for requests, the status for responses, with the sender's port. */
const received = new Map<string, { what: string; port: number }[]>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sipbots-load-scenario-'));
  server = await startEmbeddedServer({ transports: ['udp'], users: new Map(accounts.map((a) => [a.user, a.password])), domain: 'lab.test', events });
  events.subscribe((e) => {
    if (e.type !== 'sip' || e.direction !== 'in' || !e.callId || e.method === 'REGISTER') return;
    const what = e.method ? `${e.method} ${e.cseq}` : `${e.status} ${e.cseq}`;
    received.set(e.callId, [...(received.get(e.callId) ?? []), { what, port: e.remote.port }]);
  });
});

beforeEach(() => received.clear());
afterAll(() => server.stop());

async function play(file: string, extra: Partial<EngineOptions> = {}) {
  const script = compileScenario(await loadScenarioFile(file, {}));
  const options: EngineOptions = {
    scenario: 'call',
    script,
    transport: 'udp',
    proxy: server.endpoints.get('udp')!,
    bindAddress: '127.0.0.1',
    domain: 'lab.test',
    accounts,
    rate: 25,
    arrival: 'constant',
    calls: 50,
    holdMs: 100,
    timeoutMs: 8000,
    registerExpires: 60,
    sockets: 1,
    ...extra,
  };
  return mergeSnapshots([await new LoadEngine(options).run()]);
}

/** Every call's messages as the proxy received them, `what` only. */
function ladders(): string[][] {
  return [...received.values()].map((messages) => messages.map((m) => m.what));
}

describe('scenario files as load (--scenario FILE)', () => {
  it('cancel.yaml: the callee rings, the caller CANCELs after 1 s, gets 487 and ACKs it: every call succeeds', async () => {
    const { counters } = await play('scenarios/lab/cancel.yaml');
    expect(counters.failures).toEqual({});
    expect(counters).toMatchObject({ attempted: 50, succeeded: 50, failed: 0, active: 0, answered: 0, stray: 0 });
    expect(counters.attempted).toBe(counters.succeeded + counters.failed);
    expect(counters.statuses).toEqual({ 'INVITE 407': 50, 'CANCEL 200': 50, 'INVITE 487': 50 });
    // The 487 answers our own CANCEL: nothing was refused.
    expect(counters.refused).toBe(0);
    expect(counters.inviteFinals).toBe(counters.invites);
    expect(received.size).toBe(50);
    for (const ladder of ladders()) {
      // From the caller: INVITE, ACK of the 407, INVITE with credentials, CANCEL, ACK of the 487; from the callee: 180, 200 to CANCEL, 487.
      expect(ladder.filter((w) => !w.startsWith('100 '))).toEqual(['INVITE 1 INVITE', 'ACK 1 ACK', 'INVITE 2 INVITE', '180 2 INVITE', 'CANCEL 2 CANCEL', '200 2 CANCEL', '487 2 INVITE', 'ACK 2 ACK']);
    }
  });

  it('reject.yaml: the callee rings 1 s and answers 486, the caller ACKs it: 486 is success', async () => {
    const { counters, histograms } = await play('scenarios/lab/reject.yaml');
    expect(counters.failures).toEqual({});
    expect(counters).toMatchObject({ attempted: 50, succeeded: 50, failed: 0, active: 0 });
    expect(counters.statuses).toEqual({ 'INVITE 407': 50, 'INVITE 486': 50 });
    // Refused by the callee, as the file expects: counted as refused, and a success.
    expect(counters.refused).toBe(50);
    expect(histograms.setup_180.totalCount).toBe(50);
    expect(histograms.setup_200.totalCount).toBe(0);
    for (const ladder of ladders()) expect(ladder.slice(-2)).toEqual(['486 2 INVITE', 'ACK 2 ACK']);
  });

  it('answer-bye-callee.yaml: answered after 0.5 s, the callee sends BYE 2 s after the ACK, the caller answers 200', async () => {
    const { counters, histograms } = await play('scenarios/lab/answer-bye-callee.yaml');
    expect(counters.failures).toEqual({});
    expect(counters).toMatchObject({ attempted: 50, succeeded: 50, failed: 0, active: 0, answered: 50 });
    expect(counters.statuses).toEqual({ 'INVITE 407': 50, 'INVITE 200': 50, 'BYE 200': 50 });
    expect(histograms.bye.totalCount).toBe(50);
    for (const messages of received.values()) {
      const invitePort = messages.find((m) => m.what === 'INVITE 2 INVITE')!.port;
      const bye = messages.filter((m) => m.what.startsWith('BYE'));
      // One BYE, in the callee's own CSeq space and from the callee's socket, answered 200 by the caller.
      expect(bye.map((m) => m.what)).toEqual(['BYE 1 BYE']);
      expect(bye[0]!.port).not.toBe(invitePort);
      expect(messages.at(-1)).toEqual({ what: '200 1 BYE', port: invitePort });
    }
  });

  it('a file whose expectation the callee does not meet fails every call with the reason (and hangs up the answered calls)', async () => {
    const file = join(dir, 'expects-busy.yaml');
    await writeFile(
      file,
      [
        'id: expects-busy',
        'title: Callee answers, file expects busy',
        'roles: { caller: alice, callee: bob }',
        'behaviour:',
        '  callee: { onInvite: answer, ringFor: 0s }',
        'steps:',
        '  - call: { from: caller, to: callee }',
        'expect: { outcome: rejected, status: 486 }',
        '',
      ].join('\n'),
    );
    const { counters } = await play(file, { calls: 20 });
    expect(counters).toMatchObject({ attempted: 20, succeeded: 0, failed: 20, active: 0, answered: 20 });
    expect(counters.failures).toEqual({ 'expected 486, got 200': 20 });
    expect(counters.statuses).toEqual({ 'INVITE 407': 20, 'INVITE 200': 20, 'BYE 200': 20 });
  });
});

describe('sipbots load --scenario FILE (CLI, in-process)', () => {
  const common = ['load', '--embedded-proxy', '--accounts', 'u{0001..0010}@lab.test', '--password', PASSWORD, '--rate', '20', '--calls', '20'];

  it('no-answer-callee-408.yaml: every call ends 408 as the file expects, exit 0', async () => {
    const run = await runCli([...common, '--scenario', 'scenarios/lab/no-answer-callee-408.yaml', '--threshold', 'failed<0.1%']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/attempted 20 {2}succeeded 20 {2}failed 0 /);
    expect(run.stdout).toContain('INVITE 408: 20');
    // The table names the scenario played, not just "call".
    expect(run.stdout).toMatch(/sipbots load: no-answer-callee-408 \(scenarios\/lab\/no-answer-callee-408\.yaml\) over udp/);
  });

  it('refuses what the lean path cannot play: exit 2 naming the file and the reason', async () => {
    const fixedUri = join(dir, 'fixed-uri.yaml');
    await writeFile(fixedUri, ['id: fixed-uri', 'title: Call a fixed URI', 'roles: { caller: alice, callee: bob }', 'steps:', '  - call: { from: caller, to: "sip:echo@lab.test" }', ''].join('\n'));
    const cases: [string, RegExp][] = [
      ['scenarios/lab/busy-in-call.yaml', /busy-in-call\.yaml cannot be played under load: it has 2 call steps/],
      ['scenarios/lab/busy-self.yaml', /busy-self\.yaml cannot be played under load: its callee role callee is the caller's own bot/],
      ['scenarios/lab/no-answer-proxy-408.yaml', /no-answer-proxy-408\.yaml cannot be played under load: it sets proxy\.inviteTimeout/],
      [fixedUri, /fixed-uri\.yaml cannot be played under load: its call goes to the fixed URI sip:echo@lab\.test/],
      ['scenarios/examples/incoming-calls.yaml', /incoming-calls\.yaml cannot be played under load: .*it expects incoming calls \(expect\.calls: answered, declined\)/],
      ['scenarios/examples/prack.yaml', /prack\.yaml cannot be played under load: its callee role callee plays early media \(earlyMedia\)[^]*prack\.yaml cannot be played under load: its callee role callee sends reliable provisionals \(rel100\)[^]*prack\.yaml cannot be played under load: its call step offers 100rel/],
      ['scenarios/lab/missing.yaml', /--scenario scenarios\/lab\/missing\.yaml: not call, register, options, nor a scenario file/],
    ];
    for (const [file, reason] of cases) {
      const run = await runCli([...common, '--scenario', file]);
      expect(run.code, file).toBe(2);
      expect(run.stderr, file).toMatch(reason);
      expect(run.stdout, file).toBe('');
    }
  });
});
