import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_CASE_IDS } from '../../src/lab/lab-cases.js';
import { runCli } from '../support/run-cli.js';
import { startKamailio, type KamailioPeer } from './support/kamailio.js';
import { cleanupRuns, describeRun, runSipbots } from './support/sipbots-cli.js';

// A Kamailio-relayed capture made into scenarios and played again through the same Kamailio:
// the lab runs against Kamailio (its record-route, its 407, its fr_inv_timer), each case's part
// of signaling.pcapng becomes a scenario and bots file, and the generated suite, with the
// accounts' real passwords from the environment, must end every call as the original did:
// the same final status at the caller and the same ending (who hung up, and how).

const FR_INV_TIMER_MS = 3_000;
/** no-answer-as-captured imitates iptel.org's 408 to a cancelled INVITE: only the embedded proxy does that. */
const CASES = LAB_CASE_IDS.filter((id) => id !== 'no-answer-as-captured');
const PASSWORDS = { ALICE_PASSWORD: 'alice-secret', BOB_PASSWORD: 'bob-secret', CAROL_PASSWORD: 'carol-secret' };

let kamailio: KamailioPeer;

beforeAll(async () => {
  kamailio = await startKamailio({ frInvTimerMs: FR_INV_TIMER_MS });
});

afterAll(async () => {
  await kamailio?.stop();
  await cleanupRuns();
});

describe('scenario from-capture on a Kamailio-relayed lab capture', () => {
  it('replays every case through Kamailio to the same final status and ending', async () => {
    const server = `sip:127.0.0.1:${kamailio.udpPort}`;
    const lab = await runSipbots(['lab', '--server', server, '--media', 'none', '--only', CASES.join(','), '--json'], { timeoutMs: 90_000 });
    expect(lab.exitCode, describeRun(lab)).toBe(0);

    const out = join(mkdtempSync(join(tmpdir(), 'sipbots-from-kamailio-')), 'generated');
    for (const id of CASES) {
      const made = await runCli(['scenario', 'from-capture', join(lab.runDir, 'signaling.pcapng'), '--case', id, '--out', out, '--force']);
      expect(made.code, `${id}: ${made.stderr}`).toBe(0);
    }
    const replay = await runSipbots(['run', join(out, 'scenarios'), '--bots', join(out, 'bots.yaml'), '--server', server, '--media', 'none', '--json'], {
      timeoutMs: 90_000,
      env: PASSWORDS,
    });
    expect(replay.exitCode, describeRun(replay)).toBe(0);
    const ends = (summary: typeof lab.summary) => Object.fromEntries((summary?.cases ?? []).map((c) => [c.id, `${c.finalStatus} ${c.ending}`]));
    expect(ends(replay.summary)).toEqual(ends(lab.summary));
    expect(Object.keys(ends(replay.summary))).toHaveLength(CASES.length);
  }, 240_000);

  it("a call Kamailio answers 404 itself: its 407 and 404 stay the server's, and the replay through Kamailio gets the same 404", async () => {
    const server = `sip:127.0.0.1:${kamailio.udpPort}`;
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-from-kamailio-404-'));
    const scenario = join(dir, 'nobody.yaml');
    writeFileSync(scenario, ['id: nobody-home', 'title: Alice calls a user Kamailio does not know', 'roles: { caller: alice, callee: bob }', 'steps:', '  - call: { from: caller, to: "sip:nobody@lab.test", name: main }', 'expect: { status: 404 }', ''].join('\n'));
    const original = await runSipbots(['run', scenario, '--server', server, '--media', 'none', '--json'], { timeoutMs: 60_000 });
    expect(original.exitCode, describeRun(original)).toBe(0);
    const out = join(dir, 'generated');
    const made = await runCli(['scenario', 'from-capture', join(original.runDir, 'signaling.pcapng'), '--out', out]);
    expect(made.code, made.stderr).toBe(0);
    const yaml = readFileSync(join(out, 'scenarios', 'signaling.yaml'), 'utf8');
    expect(yaml).toContain('  - call: { from: caller, to: "sip:nobody@lab.test", name: main }');
    expect(yaml).not.toMatch(/^behaviour:/m);
    const replay = await runSipbots(['run', join(out, 'scenarios'), '--bots', join(out, 'bots.yaml'), '--server', server, '--media', 'none', '--json'], { timeoutMs: 60_000, env: PASSWORDS });
    expect(replay.exitCode, describeRun(replay)).toBe(0);
    expect(replay.summary?.cases.map((c) => [c.finalStatus, Object.keys(c.flows)])).toEqual([[404, ['caller']]]);
  }, 120_000);
});
