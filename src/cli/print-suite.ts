import { differenceText } from '../scenario/difference-text.js';
import type { RunSummary } from '../scenario/result-types.js';

const WORDS = {
  en: { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', failed: 'failed', notRun: 'not run (--bail after a failure)', header: ['result', 'scenario', 'time', 'first difference'] },
  zh: { pass: '通过', fail: '失败', skip: '跳过', failed: '失败', notRun: '未运行（--bail：已有失败）', header: ['结果', '场景', '用时', '第一处差异'] },
} as const;

/**
 * The table after a suite (more than one scenario): one row per scenario in file order, its
 * verdict, time and first difference, then the scenarios `--bail` never started. Nothing for a
 * single scenario: its line above says it all.
 */
export function formatSuiteTable(summary: RunSummary, lang: 'en' | 'zh' = 'en'): string {
  const w = WORDS[lang];
  const rows = summary.cases.map((c) => [c.passed ? w.pass : w.fail, c.id, `${(c.durationMs / 1000).toFixed(1)} s`, c.passed ? '' : differenceText(c.difference ?? c.error ?? w.failed, lang)]);
  for (const id of summary.skipped ?? []) rows.push([w.skip, id, '', w.notRun]);
  if (rows.length < 2) return '';
  const header = [...w.header];
  const widths = header.map((title, column) => Math.max(columns(title), ...rows.map((row) => columns(row[column]!))));
  const pad = (cell: string, width: number) => cell + ' '.repeat(Math.max(0, width - columns(cell)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : pad(cell, widths[column]!))).join('  ').trimEnd();
  return ['', line(header), line(widths.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n') + '\n';
}

/** Terminal columns of `text`: CJK characters take two. */
function columns(text: string): number {
  let n = 0;
  for (const char of text) n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(char) ? 2 : 1;
  return n;
}
