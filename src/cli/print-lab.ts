import type { CaseResult, RunSummary } from '../scenario/result-types.js';

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** One line per case as it finishes: verdict, id, duration, outcome or first difference. */
export function formatCaseLine(result: CaseResult, colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `${code}${text}${RESET}` : text);
  const mark = result.passed ? paint(GREEN, 'PASS') : paint(RED, 'FAIL');
  const seconds = `${(result.durationMs / 1000).toFixed(1)} s`.padStart(7);
  const detail = result.passed
    ? paint(DIM, [result.outcome, result.finalStatus, result.endedBy ? `ended by ${result.endedBy}` : undefined].filter(Boolean).join(' · '))
    : (result.difference ?? 'failed');
  const findings = (result.findings ?? []).map((f) => `      finding: ${f.party}: ${f.message}\n`).join('');
  return `${mark}  ${result.id.padEnd(22)}${seconds}  ${detail}\n${findings}`;
}

export function formatLabFooter(summary: RunSummary, runDir: string): string {
  const passed = summary.cases.filter((c) => c.passed).length;
  const state = summary.interrupted ? 'interrupted: ' : '';
  return `\n${state}${passed}/${summary.cases.length} cases passed against ${summary.server} (${summary.transport}) in ${(summary.durationMs / 1000).toFixed(1)} s\nrun folder: ${runDir}\n`;
}
