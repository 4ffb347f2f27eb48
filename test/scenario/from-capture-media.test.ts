import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { failures, runLabJson } from '../support/lab-run.js';
import { runCli } from '../support/run-cli.js';

/*
 * Media read off the RTP of a capture: the lab's answer-bye-caller with tones (alice 440 Hz,
 * bob 1000 Hz) becomes a scenario whose bots send those tones and whose expect.media says each
 * side hears the other, as the lab case does; played again with RTP, it passes. A call with
 * RFC 4733 digits and hold/unhold re-INVITEs is played again with dtmf, hold and unhold steps,
 * and one with DTMF sent as INFO (RFC 6086, application/dtmf-relay) with an info step.
 */
const dir = mkdtempSync(join(tmpdir(), 'sipbots-from-capture-media-'));
const PASSWORDS = { ALICE_PASSWORD: 'a', BOB_PASSWORD: 'b', CAROL_PASSWORD: 'c' };

/**
 * Alice calls bob (who answers after 0.2 s) and does `steps` in the call; the run's capture is
 * made into a scenario. Returns the generated YAML, its steps other than waits, and the folder.
 */
async function capturedScenario(id: string, steps: string[], media: string[]): Promise<{ yaml: string; steps: string[]; out: string; stderr: string }> {
  const scenario = join(dir, `${id}.yaml`);
  const header = [`id: ${id}`, `title: ${id}`, 'roles: { caller: alice, callee: bob }', 'behaviour:', '  callee: { onInvite: answer, ringFor: 0.2s }', 'steps:'];
  writeFileSync(scenario, [...header, '  - call: { from: caller, to: callee, name: main }', '    waitFor: confirmed', ...steps.map((step) => `  - ${step}`), ''].join('\n'));
  const original = await runCli(['run', scenario, '--bots', 'bots/lab.yaml', ...media, '--json', '--out', join(dir, `${id}-run`)]);
  expect(original.code, original.stderr).toBe(0);
  const out = join(dir, id);
  const made = await runCli(['scenario', 'from-capture', join(dir, `${id}-run`, 'signaling.pcapng'), '--out', out]);
  expect(made.code, made.stderr).toBe(0);
  const yaml = readFileSync(join(out, 'scenarios', 'signaling.yaml'), 'utf8');
  const played = yaml.slice(yaml.indexOf('steps:'), yaml.indexOf('expect:')).split('\n').filter((l) => l.startsWith('  - ') && !l.startsWith('  - wait:'));
  return { yaml, steps: played, out, stderr: made.stderr };
}

/** The generated scenario played with the generated bots; it must pass. */
async function replayed(out: string, media: string[]): Promise<RunSummary> {
  const run = await runCli(['run', join(out, 'scenarios'), '--bots', join(out, 'bots.yaml'), ...media, '--json', '--out', join(out, 'run')], { env: { PATH: process.env.PATH, ...PASSWORDS } });
  const replay = JSON.parse(run.stdout) as RunSummary;
  expect(run.code, `${failures(replay)}\n${run.stderr}`).toBe(0);
  return replay;
}

describe('scenario from-capture with RTP in the capture', () => {
  it('answer-bye-caller: the bots get the tones they sent, each side must hear the other, and the replay passes', async () => {
    const lab = await runLabJson(['--only', 'answer-bye-caller']);
    expect(lab.code, failures(lab.summary)).toBe(0);
    const out = join(dir, 'tones');
    const made = await runCli(['scenario', 'from-capture', join(lab.dir, 'signaling.pcapng'), '--case', 'answer-bye-caller', '--out', out]);
    expect(made.code, made.stderr).toBe(0);
    const yaml = readFileSync(join(out, 'scenarios', 'answer-bye-caller.yaml'), 'utf8');
    const packets = [...yaml.matchAll(/^ {4}(caller|callee): \{ hears: (callee|caller), minPackets: (\d+), maxLoss: 1% \}$/gm)];
    expect(packets.map((m) => `${m[1]} hears ${m[2]}`)).toEqual(['caller hears callee', 'callee hears caller']);
    // Two seconds of 20 ms packets is 100; half of what arrived is expected again.
    for (const m of packets) expect(Number(m[3])).toBeGreaterThanOrEqual(25);
    const bots = readFileSync(join(out, 'bots.yaml'), 'utf8');
    expect(bots).toMatch(/^ {2}alice:\n(?: {4}.*\n)* {4}tone: 440$/m);
    expect(bots).toMatch(/^ {2}bob:\n(?: {4}.*\n)* {4}tone: 1000$/m);

    const summary = await replayed(out, []);
    expect(summary.cases[0]!.media).toMatchObject({ caller: { detectedHz: 1000 }, callee: { detectedHz: 440 } });
  }, 120_000);

  it('digits and hold in the capture become dtmf, hold and unhold steps, and the replay passes with the same legs', async () => {
    const made = await capturedScenario('keys-and-hold', ['dtmf: { from: caller, digits: "1234#" }', 'hold: caller', 'wait: 0.3s', 'unhold: caller', 'hangup: caller'], []);
    expect(made.stderr).not.toMatch(/not reproduced: (?:re-INVITE|RFC 4733)/);
    expect(made.steps).toEqual(['  - call: { from: caller, to: callee, name: main }', '  - dtmf: { from: caller, digits: "1234#" }', '  - hold: caller', '  - unhold: caller', '  - hangup: caller']);
    expect(made.yaml).toMatch(/^ {4}callee: \{ hears: caller, minPackets: \d+, maxLoss: 1%, digits: "1234#" \}$/m);

    const replay = await replayed(made.out, []);
    // The legs read off the capture, re-INVITEs included, were expected of the replay and seen in it.
    const reinvite = ['INVITE>', '<100?', '<200/INVITE', 'ACK>'];
    expect(replay.cases[0]!.flows.caller!.expected).toEqual(['INVITE>', '<100?', '<407', 'ACK>', 'INVITE>', '<100?', '<180', '<200/INVITE', 'ACK>', ...reinvite, ...reinvite, 'BYE>', '<200/BYE']);
    expect(replay.cases[0]!.flows.callee!.expected).toEqual(['<INVITE', '100>?', '180>', '200/INVITE>', '<ACK', '<INVITE', '200/INVITE>', '<ACK', '<INVITE', '200/INVITE>', '<ACK', '<BYE', '200/BYE>']);
    expect(replay.cases[0]!.media).toMatchObject({ callee: { dtmf: '1234#' } });
  }, 90_000);

  it('DTMF sent as INFO becomes an info step, not a line under "not reproduced", and the replay passes with the INFO in the legs', async () => {
    const made = await capturedScenario('info-keys', ['info: { from: caller, digits: "1*#" }', 'hangup: caller'], ['--media', 'none']);
    expect(made.stderr).not.toMatch(/not reproduced: INFO/);
    expect(made.steps).toEqual(['  - call: { from: caller, to: callee, name: main }', '  - info: { from: caller, digits: "1*#" }', '  - hangup: caller']);

    const replay = await replayed(made.out, ['--media', 'none']);
    const info = ['INFO>', '<200/INFO'];
    expect(replay.cases[0]!.flows.caller!.expected).toEqual(['INVITE>', '<100?', '<407', 'ACK>', 'INVITE>', '<100?', '<180', '<200/INVITE', 'ACK>', ...info, ...info, ...info, 'BYE>', '<200/BYE']);
    expect(replay.cases[0]!.flows.callee!.observed.filter((t) => t.includes('INFO'))).toEqual(['<INFO', '200/INFO>', '<INFO', '200/INFO>', '<INFO', '200/INFO>']);
    // The digits bob received, in order, as the capture had them.
    const events = readFileSync(join(made.out, 'run', 'messages.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; party: string; direction: string; method?: string; raw: string });
    const received = events.filter((e) => e.type === 'sip' && e.party === 'bob' && e.direction === 'in' && e.method === 'INFO').map((e) => /^Signal=(\S+)/m.exec(e.raw)?.[1]);
    expect(received).toEqual(['1', '*', '#']);
  }, 90_000);
});
