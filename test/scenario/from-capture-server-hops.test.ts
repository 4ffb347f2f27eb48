import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSipCaptureFile } from '../../src/capture/pcap-reader.js';
import { scenariosFromCapture } from '../../src/scenario/from-capture/from-capture.js';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { failures } from '../support/lab-run.js';
import { runCli } from '../support/run-cli.js';

/*
 * Issue 21: "a proxy's own hops become the server's". Two captures Kamailio relayed (made by
 * the tests, see fixtures/README.md): in the lab's no-answer-proxy-408 both hops are there,
 * and Kamailio's own 407, 100, CANCEL to bob and 408 to alice must stay the server's: no role
 * or bot for Kamailio's endpoint, bob only rings, alice cancels nothing, the CANCEL is the
 * proxy's timer. In the other, Kamailio answers 404 itself (no callee reached): its 407 and 404
 * must not become a callee bot that rejects, but the server's answer to a call to that user.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures');

describe('scenario from-capture on Kamailio-relayed captures: the proxy\'s own hops are the server\'s', () => {
  it('no-answer-proxy-408: roles and bots only for alice and bob, the CANCEL and 408 the proxy\'s timer', async () => {
    const { messages } = await readSipCaptureFile(join(FIXTURES, 'kamailio-relayed-lab.pcapng'));
    const [scenario] = scenariosFromCapture(messages, { caseId: 'no-answer-proxy-408', time: 'real', source: 'kamailio-relayed-lab.pcapng' });
    const kamailio = messages.find((m) => m.status === 407)!.party;
    expect(scenario!.roles).toEqual({ caller: 'alice', callee: 'bob' });
    expect(scenario!.bots.map((b) => b.user)).toEqual(['alice', 'bob']);
    expect(scenario!.behaviour).toEqual({ callee: { onInvite: 'ring' } });
    expect(scenario!.proxy).toEqual({ inviteTimeoutMs: 3000 });
    expect(scenario!.steps).toEqual([{ kind: 'call', name: 'main', from: 'caller', to: 'callee' }]);
    expect(scenario!.expect.legs).toEqual({
      caller: ['INVITE>', '<100?', '<407', 'ACK>', 'INVITE>', '<100?', '<180', '<408', 'ACK>'],
      callee: ['<INVITE', '100>?', '180>', '<CANCEL', '200/CANCEL>', '487>', '<ACK'],
    });
    expect(scenario!.inferences.join('\n')).toContain(`via ${kamailio}`);
  });

  it('a 404 Kamailio answered itself: no callee bot, a call to the unknown user, only the caller\'s leg, and the replay gets the same 404', async () => {
    const capture = join(FIXTURES, 'kamailio-404.pcapng');
    const { messages } = await readSipCaptureFile(capture);
    const [scenario] = scenariosFromCapture(messages, { time: 'real', source: 'kamailio-404.pcapng' });
    expect(scenario!.roles).toEqual({ caller: 'alice', callee: 'alice' });
    expect(scenario!.bots.map((b) => b.user)).toEqual(['alice']);
    expect(scenario!.behaviour).toEqual({});
    expect(scenario!.steps).toEqual([{ kind: 'call', name: 'main', from: 'caller', to: 'sip:nobody@lab.test' }]);
    expect(scenario!.expect).toMatchObject({ outcome: 'rejected', status: 404, legs: { caller: ['INVITE>', '<100?', '<407', 'ACK>', 'INVITE>', '<100?', '<404', 'ACK>'] } });
    expect(Object.keys(scenario!.expect.legs)).toEqual(['caller']);
    expect(scenario!.inferences).toContainEqual(expect.stringMatching(/^main: the server 127\.0\.0\.1:\d+ answered 404 at \+\d+\.\d{3} s itself, no callee was reached/));
    expect(scenario!.notReproduced).toEqual([]);

    const out = join(mkdtempSync(join(tmpdir(), 'sipbots-server-hops-')), 'generated');
    const made = await runCli(['scenario', 'from-capture', capture, '--out', out]);
    expect(made.code, made.stderr).toBe(0);
    expect(readFileSync(join(out, 'scenarios', 'kamailio-404.yaml'), 'utf8')).toContain('  - call: { from: caller, to: "sip:nobody@lab.test", name: main }');
    const run = await runCli(['run', join(out, 'scenarios'), '--bots', join(out, 'bots.yaml'), '--media', 'none', '--json', '--out', join(out, 'run')], { env: { PATH: process.env.PATH, ALICE_PASSWORD: 'a' } });
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(run.code, `${failures(summary)}\n${run.stderr}`).toBe(0);
    expect(summary.cases[0]!.flows.caller!.observed.filter((t) => t !== '<100')).toEqual(['INVITE>', '<407', 'ACK>', 'INVITE>', '<404', 'ACK>']);
  }, 60_000);
});
