import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { runCli } from './run-cli.js';

export const RUN_FOLDER_FILES = ['messages.jsonl', 'summary.json', 'junit.xml', 'signaling.pcapng', 'report.html'];

/** `sipbots lab --json` into a fresh temp folder; returns the parsed summary and the folder. */
export async function runLabJson(args: string[]): Promise<{ code: number; summary: RunSummary & { runDir: string }; stderr: string; dir: string }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'sipbots-lab-')), 'run');
  const result = await runCli(['lab', '--json', '--out', dir, ...args]);
  const lines = result.stdout.trim().split('\n');
  expect(lines, `--json prints exactly one line; stderr: ${result.stderr}`).toHaveLength(1);
  return { code: result.code, summary: JSON.parse(lines[0]!), stderr: result.stderr, dir };
}

export function expectRunFolder(dir: string): void {
  for (const file of RUN_FOLDER_FILES) expect(existsSync(join(dir, file)), file).toBe(true);
}

export function readJsonl(dir: string): Array<Record<string, unknown>> {
  return readFileSync(join(dir, 'messages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

/** A one-line reason for a failed lab run, for assertion messages. */
export function failures(summary: RunSummary): string {
  return summary.cases.filter((c) => !c.passed).map((c) => `${c.id}: ${c.difference}`).join('\n');
}
