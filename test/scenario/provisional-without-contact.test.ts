import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { runCli } from '../support/run-cli.js';
import { TinyUas } from './support/tiny-uas.js';

/** Alice calls the phone, waits until it rings, then hangs up: only a recognised 180 lets the step end. */
const SCENARIO = [
  'id: ring-then-cancel',
  'title: The phone rings, the caller gives up',
  'roles: { caller: alice, callee: alice }',
  'steps:',
  '  - call: { from: caller, to: "sip:phone@127.0.0.1", name: main }',
  '    waitFor: ringing',
  '  - hangup: caller',
  'expect:',
  '  call: main',
  '  status: 487',
  '  legs:',
  '    caller: [INVITE>, <100?, <180, CANCEL>, <200/CANCEL, <487, ACK>]',
  '',
].join('\n');

const BOTS = ['bots:', '  alice: { user: alice, domain: lab.test, password: alice-secret, tone: 440 }', ''].join('\n');

async function callThePhone(uas: TinyUas): Promise<{ code: number; summary: RunSummary; stdout: string }> {
  const port = await uas.start();
  const dir = mkdtempSync(join(tmpdir(), 'sipbots-180-'));
  writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
  writeFileSync(join(dir, 'bots.yaml'), BOTS);
  const out = join(dir, 'run');
  const result = await runCli(['run', join(dir, 'scenario.yaml'), '--bots', join(dir, 'bots.yaml'), '--server', `sip:127.0.0.1:${port}`, '--media', 'none', '--out', out]);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary;
  return { code: result.code, summary, stdout: result.stdout };
}

describe('a 180 Ringing without Contact (linphone), RFC 3261 §12.1.1', () => {
  let uas: TinyUas | undefined;
  afterEach(() => uas?.stop());

  it('alice takes it as ringing (waitFor: ringing ends, CANCEL follows) and the case lists the bent rule as a finding', async () => {
    uas = new TinyUas({ contactIn180: false });
    const { code, summary, stdout } = await callThePhone(uas);
    const result = summary.cases[0]!;
    expect(result.difference).toBeUndefined();
    expect(code).toBe(0);
    expect(uas.received).toContain('CANCEL');
    expect(result.findings).toEqual([expect.objectContaining({ party: 'alice', message: expect.stringMatching(/180 without a Contact \(RFC 3261 §12\.1\.1/) })]);
    expect(stdout).toMatch(/finding: alice: 180 without a Contact/);
  });

  it('the same call to a phone whose 180 carries a Contact passes with no finding', async () => {
    uas = new TinyUas({ contactIn180: true });
    const { code, summary } = await callThePhone(uas);
    expect(summary.cases[0]!.difference).toBeUndefined();
    expect(code).toBe(0);
    expect(summary.cases[0]!.findings).toBeUndefined();
  });
});
