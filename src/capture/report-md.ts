import { differenceText, findingText } from '../scenario/difference-text.js';
import type { RunSummary } from '../scenario/result-types.js';
import type { Lang } from './explanations-cases.js';
import { renderLadderMermaid } from './ladder-mermaid.js';
import { GLOSSARY } from './explanations-glossary.js';
import { NO_ANSWER_DISCUSSION } from './explanations-no-answer.js';
import { formatSeconds, lossPercent, type CaseReport, type RunReport } from './report-model.js';
import { REPORT_STRINGS, type ReportStrings } from './report-strings.js';

/**
 * The Markdown report (for a PR comment, a wiki or GitHub's file view): the same content as
 * the HTML, with the ladder as a Mermaid block and message texts in <details>.
 */
export function renderReportMd(summary: RunSummary, report: RunReport, lang: Lang): string {
  const cases = report.cases;
  const s = REPORT_STRINGS[lang];
  const out: string[] = [`# ${s.title}`, ''];
  if (summary.interrupted) out.push(`> **${s.interrupted}**`, '');
  out.push(
    `${s.started}: ${summary.startedAt} · ${s.server}: ${cell(summary.server)} (${s.serverKinds[summary.serverKind]}) · ${s.transport}: ${summary.transport.toUpperCase()} · ` +
      `${s.duration}: ${formatSeconds(summary.durationMs)} · **${summary.passed ? s.passed : s.failed}**`,
    '',
    `## ${s.summary}`,
    '',
    `| ${s.caseId} | ${s.caseTitle} | ${s.result} | ${s.outcome} | ${s.finalStatus} | ${s.endedBy} | ${s.duration} |`,
    '|---|---|---|---|---|---|---|',
  );
  for (const c of cases) {
    const r = c.result;
    out.push(
      `| [${cell(r.id)}](#case-${r.id}) | ${cell(c.title)} | ${r.passed ? s.passed : `**${s.failed}**`} | ${c.outcome} | ${r.finalStatus ?? ''} | ${cell(c.endedBy)} | ${formatSeconds(r.durationMs)} |`,
    );
  }
  if (report.registrations.length > 0) out.push('', ...registrationSection(report, s));
  for (const c of cases) out.push('', ...caseSection(c, lang));
  if (report.noAnswer.length > 0) out.push('', ...noAnswerSection(report, s, lang));
  out.push('', `## ${s.glossary}`, '');
  for (const entry of GLOSSARY) out.push(`- **${entry.term}** — ${entry.text[lang]}`);
  return out.join('\n') + '\n';
}

function caseSection(report: CaseReport, lang: Lang): string[] {
  const s = REPORT_STRINGS[lang];
  const r = report.result;
  const out = [`<a id="case-${r.id}"></a>`, '', `## ${r.id} — ${report.title} (${r.passed ? s.passed : s.failed})`, ''];
  if (report.description) out.push(report.description.trim(), '');
  if (report.caseText) out.push(`**${s.whatHappens}:** ${report.caseText}`, '');
  if (report.endedByText) out.push(`**${s.endedBy}: ${report.endedBy}.** ${report.endedByText}`, '');
  if (r.difference) out.push(`> **${s.difference}:** ${differenceText(r.difference, lang)}`, '');
  if (r.error) out.push(`> **${s.error}:** ${differenceText(r.error, lang)}`, '');
  if (r.findings && r.findings.length > 0) out.push(`**${s.findings}:**`, '', ...r.findings.map((f) => `- ${f.party}: ${findingText(f.message, lang)}`), '');
  for (const flow of report.flows) {
    out.push(`**${cell(flow.caption)}**`, '', `| # | ${s.expected} | ${s.observed} |`, '|---|---|---|');
    flow.rows.forEach((row, i) => {
      const mark = (text: string) => (row.first ? `**${text}** ⟵ ${s.firstDifference}` : row.differs ? `*${text}*` : text);
      out.push(`| ${i + 1} | ${cell(row.expected ?? '—')} | ${mark(cell(row.observed ?? '—'))} |`);
    });
    out.push('');
  }
  out.push(`### ${s.ladder}`, '');
  if (report.ladder.arrows.length === 0) out.push(s.noMessages, '');
  else {
    if (report.calls.length > 0) out.push(`${s.calls}:`, '', ...report.calls.map((c) => `- ${c.text}`), '');
    if (report.original) out.push(`**${s.thisRunLadder}**`, '');
    out.push('```mermaid', renderLadderMermaid(report.ladder).trimEnd(), '```', '');
  }
  if (report.original) {
    const original = report.original;
    out.push(`**${s.originalLadder}: ${original.capture} (Call-ID ${original.calls.join(', ')})**`, '');
    if (original.ladder) out.push('```mermaid', renderLadderMermaid(original.ladder).trimEnd(), '```', '');
    else out.push(`> **${s.originalUnread}:** ${original.problem ?? ''}`, '');
  }
  if (report.steps.length > 0) {
    out.push(`### ${s.steps}`, '');
    report.steps.forEach((step, i) => {
      const a = step.arrow;
      out.push(`${i + 1}. \`${formatSeconds(a.offsetMs)} ${a.from} → ${a.to}: ${a.caption}\` ${step.text}`);
      if (step.digest.length > 0) out.push('', ...factsList(s.digestFields, step.digest), '');
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

function factsList(caption: string, facts: ReadonlyArray<readonly [string, string]>): string[] {
  return [`   ${caption}:`, '', ...facts.map(([name, value]) => `   - \`${name}\` = \`${value}\``)];
}

function registrationSection(report: RunReport, s: ReportStrings): string[] {
  const out = [`## ${s.registration}`, '', s.registrationIntro];
  for (const bot of report.registrations) {
    out.push('', `### ${bot.party}`, '', `**${bot.summary}**`, '');
    bot.rows.forEach((row, i) => {
      const a = row.arrow;
      out.push(`${i + 1}. \`${formatSeconds(a.offsetMs)} ${a.from} → ${a.to}: ${a.caption}\` ${row.text}`);
      if (row.facts.length > 0) out.push('', ...factsList(s.fields, row.facts), '');
    });
  }
  return out;
}

function noAnswerSection(report: RunReport, s: ReportStrings, lang: Lang): string[] {
  const out = [`## ${s.noAnswer}`, '', NO_ANSWER_DISCUSSION[lang], ''];
  out.push(`| ${s.variant} | ${s.whose} | ${s.source} | ${s.callerLeg} | ${s.calleeLeg} | ${s.thisRun} |`, '|---|---|---|---|---|---|');
  for (const row of report.noAnswer) {
    const v = row.variant;
    const run = row.result ? `${row.result.passed ? s.passed : `**${s.failed}**`}: \`${row.caller ?? ''}\` / \`${row.callee ?? ''}\`` : s.notRun;
    out.push(`| ${v.caseId} | ${v.whose[lang]} | ${v.source[lang]} | \`${v.caller}\` | \`${v.callee}\` | ${run} |`);
  }
  return out;
}
