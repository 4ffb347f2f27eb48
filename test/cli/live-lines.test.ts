import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseProgress } from '../../src/cli/case-progress.js';
import { main } from '../../src/cli/main.js';
import type { CaseResult } from '../../src/scenario/result-types.js';

describe('sipbots lab on a terminal', () => {
  it('shows a live line for what runs now, replaced by each result, and names the report at the end', async () => {
    const chunks: Array<{ at: number; text: string }> = [];
    const out = join(mkdtempSync(join(tmpdir(), 'sipbots-live-')), 'run');
    const code = await main(['lab', '--only', 'reject,cancel', '--media', 'none', '--out', out], {
      stdout: { isTTY: true, write: (text: string) => chunks.push({ at: Date.now(), text }) },
      stderr: { write: () => undefined },
      env: { PATH: process.env.PATH },
      signal: new AbortController().signal,
    });
    expect(code).toBe(0);
    const texts = chunks.map((c) => c.text);
    const index = (pattern: RegExp) => texts.findIndex((t) => pattern.test(t));
    // Written before the case ran, not after: the live line precedes its result by the case's duration.
    const running = index(/^\r\x1b\[2Krunning reject …$/);
    const result = index(/^\r\x1b\[2K.*PASS.*reject/);
    expect(index(/^\r\x1b\[2Kstarting the bots/)).toBeGreaterThan(0);
    expect(running).toBeGreaterThan(0);
    expect(result).toBeGreaterThan(running);
    expect(chunks[result]!.at - chunks[running]!.at).toBeGreaterThan(500);
    expect(index(/^\r\x1b\[2Krunning cancel …$/)).toBeGreaterThan(result);
    expect(texts.join('')).toContain(`report: ${join(out, 'report.html')}\n`);
  }, 60_000);
});

describe('the live line under --parallel', () => {
  it('names every case still running, and goes once the last result is printed', () => {
    const written: string[] = [];
    const progress = caseProgress({ isTTY: true, write: (text: string) => written.push(text) }, { json: false, lang: 'en' });
    progress.onCaseStart!('a');
    progress.onCaseStart!('b');
    expect(written.at(-1)).toBe('\r\x1b[2Krunning a, b …');
    progress.onCase!({ id: 'a', passed: true, durationMs: 1000 } as CaseResult);
    expect(written.at(-2)).toMatch(/^\r\x1b\[2K.*PASS.*a /);
    expect(written.at(-1)).toBe('\r\x1b[2Krunning b …');
    progress.onCase!({ id: 'b', passed: false, durationMs: 1000, difference: 'expected <486' } as CaseResult);
    expect(written.at(-1)).toBe('\r\x1b[2K');
  });
});
