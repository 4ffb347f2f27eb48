import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/config/load-scenario.js';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { failures, runLabJson } from '../support/lab-run.js';
import { runCli } from '../support/run-cli.js';

/*
 * The round trip of issue 21: the lab runs once (embedded proxy, UDP, no media), each case's
 * part of its signaling.pcapng becomes a scenario and a bots file through the CLI, and the
 * generated scenarios run as one suite with the generated bots. Every one must pass, its
 * expected legs must be the lab case's, and the legs it observed must be the ones the lab
 * observed for that case (retransmissions are never in a leg; 100 Trying is hop-by-hop timing,
 * optional on both sides, so it is left out of the comparison).
 */
const LAB = join(import.meta.dirname, '../../scenarios/lab');
const PASSWORDS = { ALICE_PASSWORD: 'alice-from-env', BOB_PASSWORD: 'bob-from-env', CAROL_PASSWORD: 'carol-from-env' };

function withoutTrying(leg: readonly string[]): string[] {
  return leg.filter((token) => !/^<?100>?\??$/.test(token));
}

describe('scenario from-capture round trip over every lab case', () => {
  it('each generated scenario passes, expects the lab case\'s legs and sees the legs the lab saw', async () => {
    const lab = await runLabJson(['--media', 'none']);
    expect(lab.code, failures(lab.summary)).toBe(0);
    const capture = join(lab.dir, 'signaling.pcapng');
    const out = join(mkdtempSync(join(tmpdir(), 'sipbots-round-trip-')), 'generated');
    for (const labCase of lab.summary.cases) {
      const made = await runCli(['scenario', 'from-capture', capture, '--case', labCase.id, '--out', out, '--force']);
      expect(made.code, `${labCase.id}: ${made.stderr}`).toBe(0);
      expect(made.stdout).toBe(`${join(out, 'scenarios', `${labCase.id}.yaml`)}\n${join(out, 'bots.yaml')}\n`);
    }
    expect(readFileSync(join(out, 'bots.yaml'), 'utf8')).not.toMatch(/secret/);

    const run = await runCli(['run', join(out, 'scenarios'), '--bots', join(out, 'bots.yaml'), '--media', 'none', '--parallel', '4', '--json', '--out', join(out, 'run')], {
      env: { PATH: process.env.PATH, ...PASSWORDS },
    });
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(run.code, `${failures(summary)}\n${run.stderr}`).toBe(0);
    expect(summary.cases.map((c) => c.id).sort()).toEqual(lab.summary.cases.map((c) => c.id).sort());
    for (const replayed of summary.cases) {
      const original = lab.summary.cases.find((c) => c.id === replayed.id)!;
      const expected = await loadScenarioFile(join(LAB, `${replayed.id}.yaml`), {});
      expect(replayed.passed, `${replayed.id}: ${replayed.difference}`).toBe(true);
      for (const [role, flow] of Object.entries(replayed.flows ?? {})) {
        expect(flow.expected, `${replayed.id} ${role}: expected legs`).toEqual(expected.expect.legs[role]!.map((p) => p.text));
        expect(withoutTrying(flow.observed), `${replayed.id} ${role}: observed legs`).toEqual(withoutTrying(original.flows![role]!.observed));
      }
      expect(Object.keys(replayed.flows ?? {}).sort(), replayed.id).toEqual(Object.keys(expected.expect.legs).sort());
      expect([replayed.finalStatus, replayed.outcome, replayed.ending], replayed.id).toEqual([original.finalStatus, original.outcome, original.ending]);
    }
  }, 240_000);
});
