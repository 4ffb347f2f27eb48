import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { failures } from '../support/lab-run.js';
import { runCli } from '../support/run-cli.js';

/*
 * A callee's 183 Session Progress with SDP read off a capture: a run of a scenario whose callee
 * plays early media (and, second, requires 100rel) is captured, made into a scenario, and the
 * generated scenario must carry `earlyMedia` (and `rel100: required`), list nothing about the
 * 183, and pass when played again, with `<183` (and the PRACK) in the caller's leg.
 */
const dir = mkdtempSync(join(tmpdir(), 'sipbots-from-capture-early-'));
const PASSWORDS = { ALICE_PASSWORD: 'a', BOB_PASSWORD: 'b', CAROL_PASSWORD: 'c' };

async function roundTrip(id: string, callee: string, call: string): Promise<{ yaml: string; replay: RunSummary }> {
  const scenario = join(dir, `${id}.yaml`);
  writeFileSync(scenario, [`id: ${id}`, `title: ${id}`, 'roles: { caller: alice, callee: bob }', 'behaviour:', `  callee: ${callee}`, 'steps:', `  - call: ${call}`, '    waitFor: confirmed', '  - wait: 0.3s', '  - hangup: caller', ''].join('\n'));
  const original = await runCli(['run', scenario, '--bots', 'bots/lab.yaml', '--media', 'none', '--json', '--out', join(dir, `${id}-run`)]);
  expect(original.code, original.stderr).toBe(0);
  const out = join(dir, id);
  const made = await runCli(['scenario', 'from-capture', join(dir, `${id}-run`, 'signaling.pcapng'), '--out', out]);
  expect(made.code, made.stderr).toBe(0);
  const yaml = readFileSync(join(out, 'scenarios', 'signaling.yaml'), 'utf8');
  const run = await runCli(['run', join(out, 'scenarios'), '--bots', join(out, 'bots.yaml'), '--media', 'none', '--json', '--out', join(out, 'run')], { env: { PATH: process.env.PATH, ...PASSWORDS } });
  const replay = JSON.parse(run.stdout) as RunSummary;
  expect(run.code, `${failures(replay)}\n${run.stderr}\n${yaml}`).toBe(0);
  return { yaml, replay };
}

describe('scenario from-capture with a callee that sent 183 with SDP', () => {
  it('earlyMedia is read off the 183, nothing is listed for it, and the replay passes with <183 in the caller leg', async () => {
    const { yaml, replay } = await roundTrip('early', '{ onInvite: answer, earlyMedia: 1s }', '{ from: caller, to: callee, name: main }');
    const behaviour = /^ {2}callee: \{ onInvite: answer, earlyMedia: ([\d.]+)s \}$/m.exec(yaml);
    expect(behaviour, yaml).not.toBeNull();
    expect(Number(behaviour![1])).toBeGreaterThanOrEqual(0.9);
    expect(Number(behaviour![1])).toBeLessThanOrEqual(1.5);
    expect(yaml).not.toMatch(/rel100/);
    expect(yaml).not.toMatch(/Not reproduced:[\s\S]*183/);
    expect(yaml).toMatch(/^# {3}main: callee sent 183 with SDP at .* -> behaviour\.callee\.earlyMedia/m);
    expect(yaml).toMatch(/^ {4}caller: \[.*<183, <200\/INVITE.*\]$/m);
    expect(replay.cases[0]!.flows!.caller!.observed).toContain('<183');
  }, 60_000);

  it('a 183 with Require: 100rel adds rel100: required, the call step offers 100rel, and the PRACK is in the legs', async () => {
    const { yaml, replay } = await roundTrip('reliable', '{ onInvite: answer, earlyMedia: 0.5s, rel100: required }', '{ from: caller, to: callee, name: main, rel100: supported }');
    expect(yaml, yaml).toMatch(/^ {2}callee: \{ onInvite: answer, earlyMedia: [\d.]+s, rel100: required \}$/m);
    expect(yaml).toMatch(/^ {2}- call: \{ from: caller, to: callee, name: main(?:, hangupAfter: [\d.]+s)?, rel100: supported \}$/m);
    expect(yaml).not.toMatch(/Not reproduced:[\s\S]*183/);
    expect(yaml).toMatch(/^ {4}caller: \[.*<183, PRACK>, <200\/PRACK, <200\/INVITE.*\]$/m);
    expect(yaml).toMatch(/^ {4}callee: \[.*183>, <PRACK, 200\/PRACK>, 200\/INVITE>.*\]$/m);
    expect(replay.cases[0]!.flows!.caller!.observed).toEqual(expect.arrayContaining(['<183', 'PRACK>', '<200/PRACK']));
  }, 60_000);
});
