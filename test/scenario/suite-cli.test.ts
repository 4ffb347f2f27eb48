import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { runCli } from '../support/run-cli.js';

/** A call from `from` to `to`, which rejects it with `rejectWith` after 0.2 s; the caller must see `expectStatus`. */
function rejectScenario(id: string, from: string, to: string, rejectWith: number, expectStatus: number): string {
  return [
    `id: ${id}`,
    'title: t',
    `roles: { caller: ${from}, callee: ${to} }`,
    'behaviour:',
    `  callee: { onInvite: reject, ringFor: 0.2s, rejectWith: ${rejectWith} }`,
    'steps:',
    '  - call: { from: caller, to: callee }',
    'expect:',
    `  status: ${expectStatus}`,
    '',
  ].join('\n');
}

const INCOMING = [
  'id: c-incoming',
  'title: t',
  'roles: { caller: carol, callee: bob }',
  'steps:',
  '  - call: { from: caller, to: callee, hangupAfter: 0.3s }',
  'expect:',
  '  calls:',
  '    to-bob: { to: callee, from: carol, within: 5s, behaviour: { onInvite: answer, ringFor: 0.1s }, status: 200 }',
  '',
].join('\n');

/** A suite directory: a passes, b fails (expects 486, gets 603), c (in a sub-directory) passes with one expected call. */
function suiteDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sipbots-suite-'));
  writeFileSync(join(dir, 'a-reject.yaml'), rejectScenario('a-reject', 'alice', 'bob', 486, 486));
  writeFileSync(join(dir, 'b-broken.yaml'), rejectScenario('b-broken', 'carol', 'alice', 603, 486));
  mkdirSync(join(dir, 'more'));
  writeFileSync(join(dir, 'more', 'c-incoming.yaml'), INCOMING);
  writeFileSync(join(dir, 'notes.txt'), 'not a scenario');
  return dir;
}

async function runSuite(args: string[]): Promise<{ code: number; stdout: string; summary: RunSummary; junit: string }> {
  const out = join(mkdtempSync(join(tmpdir(), 'sipbots-suite-run-')), 'run');
  const result = await runCli(['run', ...args, '--media', 'none', '--out', out]);
  return { code: result.code, stdout: result.stdout, summary: JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary, junit: readFileSync(join(out, 'junit.xml'), 'utf8') };
}

describe('sipbots run DIR: a suite against one embedded proxy', () => {
  it('runs every scenario under the directory in path order, exits 1 for the one that failed, prints the table and writes one JUnit file', async () => {
    const { code, stdout, summary, junit } = await runSuite([suiteDir()]);
    expect(code).toBe(1);
    expect(summary.cases.map((c) => [c.id, c.passed])).toEqual([['a-reject', true], ['b-broken', false], ['c-incoming', true]]);
    expect(summary.cases[1]!.difference).toBe('expected the caller to end with 486, saw 603 Decline');
    expect(stdout).toMatch(/result +scenario +time +first difference\n/);
    expect(stdout).toMatch(/\nFAIL +b-broken +\d+\.\d s +expected the caller to end with 486, saw 603 Decline\n/);
    expect(junit).toMatch(/<testsuite name="sipbots" tests="4" failures="1" errors="0" skipped="0" /);
    expect(junit).toContain('<testcase classname="sipbots.udp.c-incoming" name="calls.to-bob" time="0"/>');
    expect(junit).toMatch(/<testcase classname="sipbots.udp" name="b-broken" time="[\d.]+">\n {4}<failure message="expected the caller to end with 486, saw 603 Decline"/);
  });

  it('--bail stops after the first failure and lists the rest as skipped (JSON, table and JUnit)', async () => {
    const { code, stdout, summary, junit } = await runSuite([suiteDir(), '--bail']);
    expect(code).toBe(1);
    expect(summary.cases.map((c) => c.id)).toEqual(['a-reject', 'b-broken']);
    expect(summary.skipped).toEqual(['c-incoming']);
    expect(stdout).toMatch(/\nSKIP +c-incoming +not run \(--bail after a failure\)\n/);
    expect(junit).toMatch(/tests="3" failures="1" errors="0" skipped="1" /);
    expect(junit).toContain('name="c-incoming" time="0"><skipped message="not run: --bail stopped the suite after a failure"/>');
  });

  it('--parallel 2 overlaps scenarios on disjoint bots, never two sharing a bot, and keeps file order in the results', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-parallel-'));
    writeFileSync(join(dir, '1.yaml'), rejectScenario('p1', 'alice', 'bob', 486, 486));
    writeFileSync(join(dir, '2.yaml'), rejectScenario('p2', 'carol', 'carol', 486, 486));
    writeFileSync(join(dir, '3.yaml'), rejectScenario('p3', 'bob', 'alice', 486, 486));
    const { code, summary } = await runSuite([dir, '--parallel', '2']);
    expect(summary.cases.map((c) => c.difference)).toEqual([undefined, undefined, undefined]);
    expect(code).toBe(0);
    const [p1, p2, p3] = summary.cases as [RunSummary['cases'][0], RunSummary['cases'][0], RunSummary['cases'][0]];
    expect(summary.cases.map((c) => c.id)).toEqual(['p1', 'p2', 'p3']);
    // p1 and p2 share no bot: they ran at the same time; p3 shares alice and bob with p1: after it.
    expect(p2.startedAt).toBeLessThan(p1.endedAt);
    expect(p3.startedAt).toBeGreaterThanOrEqual(p1.endedAt);
  });

  it('a directory without scenario files is a configuration error (exit 2)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sipbots-empty-'));
    const result = await runCli(['run', empty]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no scenario files (*.yaml) in this directory');
  });
});
