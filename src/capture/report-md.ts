import type { RunSummary } from '../scenario/result-types.js';
import type { Lang } from './explanations-cases.js';
import { renderLadderMermaid } from './ladder-mermaid.js';
import { formatSeconds, lossPercent, type CaseReport } from './report-model.js';
import { REPORT_STRINGS } from './report-strings.js';

/**
 * The Markdown report (for a PR comment, a wiki or GitHub's file view): the same content as
 * the HTML, with the ladder as a Mermaid block and message texts in <details>.
 */
export function renderReportMd(summary: RunSummary, cases: readonly CaseReport[], lang: Lang): string {
  const s = REPORT_STRINGS[lang];
  const out: string[] = [`# ${s.title}`, ''];
  if (summary.interrupted) out.push(`> **${s.interrupted}**`, '');
  out.push(
    `${s.started}: ${summary.startedAt} · ${s.server}: ${cell(summary.server)} (${summary.serverKind}) · ${s.transport}: ${summary.transport.toUpperCase()} · ` +
      `${s.duration}: ${formatSeconds(summary.durationMs)} · **${summary.passed ? s.passed : s.failed}**`,
    '',
    `## ${s.summary}`,
    '',
    `| ${s.caseId} | ${s.caseTitle} | ${s.result} | ${s.outcome} | ${s.finalStatus} | ${s.endedBy} | ${s.duration} |`,
    '|---|---|---|---|---|---|---|',
  );
  for (const { result: r } of cases) {
    out.push(
      `| [${cell(r.id)}](#case-${r.id}) | ${cell(r.title)} | ${r.passed ? s.passed : `**${s.failed}**`} | ${r.outcome ?? ''} | ${r.finalStatus ?? ''} | ${r.endedBy ?? ''} | ${formatSeconds(r.durationMs)} |`,
    );
  }
  for (const report of cases) out.push('', ...caseSection(report, lang));
  return out.join('\n') + '\n';
}

function caseSection(report: CaseReport, lang: Lang): string[] {
  const s = REPORT_STRINGS[lang];
  const r = report.result;
  const out = [`<a id="case-${r.id}"></a>`, '', `## ${r.id} — ${r.title} (${r.passed ? s.passed : s.failed})`, ''];
  if (report.caseText) out.push(`**${s.whatHappens}:** ${report.caseText}`, '');
  if (report.endedByText) out.push(`**${s.endedBy}:** ${report.endedByText}`, '');
  if (r.difference) out.push(`> **${s.difference}:** ${r.difference}`, '');
  if (r.error) out.push(`> **${s.error}:** ${r.error}`, '');
  for (const flow of report.flows) {
    out.push(`**${flow.role}** (${cell(flow.party)})`, '', `| # | ${s.expected} | ${s.observed} |`, '|---|---|---|');
    flow.rows.forEach((row, i) => {
      const mark = (text: string) => (row.first ? `**${text}** ⟵ ${s.firstDifference}` : row.differs ? `*${text}*` : text);
      out.push(`| ${i + 1} | ${cell(row.expected ?? '—')} | ${mark(cell(row.observed ?? '—'))} |`);
    });
    out.push('');
  }
  out.push(`### ${s.ladder}`, '');
  if (report.ladder.arrows.length === 0) out.push(s.noMessages, '');
  else out.push('```mermaid', renderLadderMermaid(report.ladder).trimEnd(), '```', '');
  if (report.steps.length > 0) {
    out.push(`### ${s.steps}`, '');
    report.steps.forEach((step, i) => {
      const a = step.arrow;
      out.push(`${i + 1}. \`${formatSeconds(a.offsetMs)} ${a.from} → ${a.to}: ${a.caption}\` ${step.text}`);
      out.push(`   <details><summary>${s.message}</summary>`, '', '   ```', ...a.raw.replace(/\r/g, '').trimEnd().split('\n').map((l) => `   ${l}`), '   ```', '   </details>');
    });
    out.push('');
  }
  out.push(`### ${s.media}`, '');
  if (report.media.length === 0) out.push(s.noMedia);
  else {
    out.push(`| ${s.party} | ${s.codec} | ${s.sentPackets} | ${s.receivedPackets} | ${s.lost} | ${s.jitter} | ${s.mos} | ${s.toneHeard} | ${s.dtmf} |`, '|---|---|---|---|---|---|---|---|---|');
    for (const m of report.media) {
      const mos = m.received.mos === undefined ? '' : m.received.mos.toFixed(2);
      const heard = m.received.detectedHz === undefined ? '' : String(Math.round(m.received.detectedHz));
      out.push(`| ${cell(m.party)} | ${m.codec} | ${m.sent.packets} | ${m.received.packets} | ${m.received.lost} (${lossPercent(m)} %) | ${m.received.jitterMs.toFixed(1)} | ${mos} | ${heard} | ${cell(m.received.dtmf ?? '')} |`);
    }
  }
  if (report.topics.length > 0) {
    out.push('', `### ${s.headers}`, '');
    for (const topic of report.topics) out.push(`- \`${topic.title}\` — ${topic.text[lang]}`);
  }
  return out;
}

/** Table cells: a pipe or newline would break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}
