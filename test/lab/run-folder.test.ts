import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunFolder } from '../../src/lab/run-folder.js';
import { runCli } from '../support/run-cli.js';

describe('run folders are never reused', () => {
  it('two runs in the same second get two folders', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sipbots-runs-'));
    const now = new Date('2026-11-24T21:40:05.123Z');
    const first = await createRunFolder(undefined, { now, root });
    const second = await createRunFolder(undefined, { now, root });
    expect(first).toBe(join(root, '2026-11-24T21-40-05'));
    expect(second).toBe(join(root, '2026-11-24T21-40-05-2'));
  });

  it('--out refuses a folder that already holds a run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sipbots-out-'));
    writeFileSync(join(out, 'summary.json'), '{}');
    await expect(createRunFolder(out)).rejects.toThrow(/already holds a run/);
  });

  it('two lab runs share no Call-ID and no proxy port', async () => {
    const base = mkdtempSync(join(tmpdir(), 'sipbots-twice-'));
    const summaries = [];
    for (const name of ['one', 'two']) {
      const { code, stdout } = await runCli(['lab', '--json', '--only', 'reject', '--media', 'none', '--out', join(base, name)]);
      expect(code).toBe(0);
      summaries.push(JSON.parse(stdout));
    }
    const [one, two] = summaries.map((s) => s.cases[0]);
    expect(one.callIds.some((id: string) => two.callIds.includes(id))).toBe(false);
    expect(one.flows.caller.callId).not.toBe(two.flows.caller.callId);
    expect(summaries[0].server).not.toBe(summaries[1].server);
  });
});

describe('sipbots lab --out', () => {
  it('refuses a folder that holds a run with a usage error (2)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sipbots-out-'));
    writeFileSync(join(out, 'messages.jsonl'), '');
    const { code, stderr } = await runCli(['lab', '--only', 'reject', '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toContain('already holds a run');
  });
});
