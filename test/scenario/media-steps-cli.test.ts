import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { runCli } from '../support/run-cli.js';

describe('sipbots run with dtmf, hold and unhold steps', () => {
  it('passes on the embedded proxy; summary.json and report.md show the digits bob received', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-media-cli-'));
    const scenario = join(dir, 'dtmf-hold.yaml');
    writeFileSync(
      scenario,
      [
        'id: dtmf-hold',
        'title: Digits, hold and unhold',
        'roles: { caller: alice, callee: bob }',
        'behaviour:',
        '  callee: { onInvite: answer, ringFor: 0.2s }',
        'steps:',
        '  - call: { from: caller, to: callee, name: main }',
        '    waitFor: confirmed',
        '  - wait: 0.3s',
        '  - dtmf: { from: caller, digits: "*0#" }',
        '  - hold: caller',
        '  - wait: 0.3s',
        '  - unhold: caller',
        '  - wait: 0.3s',
        '  - hangup: caller',
        'expect:',
        '  call: main',
        '  media:',
        '    callee: { digits: "*0#", hears: caller }',
        '    caller: { hears: callee }',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'run');
    const result = await runCli(['run', scenario, '--bots', 'bots/lab.yaml', '--json', '--out', out]);
    const summary = JSON.parse(result.stdout) as RunSummary;
    expect(summary.cases[0]?.difference, result.stderr).toBeUndefined();
    expect(result.code).toBe(0);
    // The tone is read from the last 200 ms heard (5 Hz bins): after hold and unhold a gap in that
    // window may move the peak by a hertz or two, which the judge's tolerance allows.
    expect(summary.cases[0]?.media?.callee).toMatchObject({ party: 'bob', dtmf: '*0#' });
    expect(Math.abs((summary.cases[0]?.media?.callee?.detectedHz ?? 0) - 440)).toBeLessThanOrEqual(5);
    expect(summary.cases[0]?.media?.caller).toMatchObject({ party: 'alice' });
    expect(Math.abs((summary.cases[0]?.media?.caller?.detectedHz ?? 0) - 1000)).toBeLessThanOrEqual(5);
    const onDisk = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary;
    expect(onDisk.cases[0]?.media?.callee?.dtmf).toBe('*0#');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\| bob \|[^\n]*\| \*0# \|/);
  });
});
