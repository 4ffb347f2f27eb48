import type { RunSummary } from '../scenario/result-types.js';

/**
 * The table after a suite (more than one scenario): one row per scenario in file order, its
 * verdict, time and first difference, then the scenarios `--bail` never started. Nothing for a
 * single scenario: its line above says it all.
 */
export function formatSuiteTable(summary: RunSummary): string {
  const rows = summary.cases.map((c) => [c.passed ? 'PASS' : 'FAIL', c.id, `${(c.durationMs / 1000).toFixed(1)} s`, c.passed ? '' : (c.difference ?? c.error ?? 'failed')]);
  for (const id of summary.skipped ?? []) rows.push(['SKIP', id, '', 'not run (--bail after a failure)']);
  if (rows.length < 2) return '';
  const header = ['result', 'scenario', 'time', 'first difference'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return ['', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}
