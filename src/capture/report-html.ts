import { differenceText, findingText } from '../scenario/difference-text.js';
import type { RunSummary } from '../scenario/result-types.js';
import { renderLadderSvg, escapeXml as esc } from './ladder-svg.js';
import { formatSeconds, lossPercent, type CaseReport, type RunReport } from './report-model.js';
import type { Lang } from './explanations-cases.js';
import { GLOSSARY } from './explanations-glossary.js';
import { NO_ANSWER_DISCUSSION } from './explanations-no-answer.js';
import { REPORT_STRINGS, type ReportStrings } from './report-strings.js';

/** Inline, so the file opens anywhere (mail attachment, CI artifact) without a network. */
const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","PingFang SC","Microsoft YaHei",sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#1d232b}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #d5dbe3;padding-bottom:4px;margin-top:36px}h3{font-size:15px;margin-top:20px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d5dbe3;padding:3px 8px;text-align:left;vertical-align:top}th{background:#eef2f7}
.pass{color:#1d7a34;font-weight:bold}.fail{color:#b3261e;font-weight:bold}
.banner{background:#fff4d6;border:1px solid #e0b84c;padding:8px 12px;border-radius:4px;font-weight:bold}
.difference{background:#fde8e6;border-left:4px solid #b3261e;padding:6px 10px}
tr.differs td{background:#fff7e6}tr.first-diff td{background:#fde8e6;font-weight:bold}
.flows{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}.meta{color:#5b6b7f}
figure{overflow-x:auto;margin:8px 0}.ladders{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}figcaption{font-weight:bold;overflow-wrap:anywhere}ol.steps li{margin:6px 0}.step-head{display:block;font-family:ui-monospace,Menlo,Consolas,monospace}
pre{background:#f6f8fa;border:1px solid #d5dbe3;padding:8px;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
table.facts caption{text-align:left;color:#5b6b7f}table.facts td:first-child{white-space:nowrap}table.facts td{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
ul.calls{list-style:none;padding-left:0;font-family:ui-monospace,Menlo,Consolas,monospace}p.registration-summary{font-weight:bold}dt{font-weight:bold;font-family:ui-monospace,Menlo,Consolas,monospace}dd{margin:0 0 8px 16px}
`.trim();

/**
 * The self-contained HTML report: summary table, then per case the explanation, expected and
 * observed flows side by side (first difference highlighted), the SVG ladder, every message
 * explained with its full text in <details>, media figures and the headers worth knowing.
 * No scripts, no external resources.
 */
export function renderReportHtml(summary: RunSummary, report: RunReport, lang: Lang): string {
  const cases = report.cases;
  const s = REPORT_STRINGS[lang];
  const out: string[] = [];
  out.push('<!DOCTYPE html>', `<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">`, '<head>', '<meta charset="utf-8">');
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">', `<title>${esc(s.title)}</title>`, `<style>${CSS}</style>`, '</head>', '<body>');
  out.push(`<h1>${esc(s.title)}</h1>`);
  if (summary.interrupted) out.push(`<p class="banner" role="alert">${esc(s.interrupted)}</p>`);
  out.push(
    `<p class="meta">${esc(s.started)}: ${esc(summary.startedAt)} · ${esc(s.server)}: ${esc(summary.server)} (${esc(s.serverKinds[summary.serverKind])}) · ` +
      `${esc(s.transport)}: ${esc(summary.transport.toUpperCase())} · ${esc(s.duration)}: ${formatSeconds(summary.durationMs)} · ` +
      `${verdict(summary.passed, s)}</p>`,
  );
  out.push(`<h2>${esc(s.summary)}</h2>`, summaryTable(cases, s));
  if (report.registrations.length > 0) out.push(registrationSection(report, s));
  cases.forEach((c, index) => out.push(caseSection(c, index, s, lang)));
  if (report.noAnswer.length > 0) out.push(noAnswerSection(report, s, lang));
  out.push(`<section id="glossary"><h2>${esc(s.glossary)}</h2><dl>`);
  for (const entry of GLOSSARY) out.push(`<dt>${esc(entry.term)}</dt><dd>${esc(entry.text[lang])}</dd>`);
  out.push('</dl></section>', '</body>', '</html>');
  return out.join('\n') + '\n';
}

function verdict(passed: boolean, s: ReportStrings): string {
  return passed ? `<span class="pass">${esc(s.passed)}</span>` : `<span class="fail">${esc(s.failed)}</span>`;
}

function summaryTable(cases: readonly CaseReport[], s: ReportStrings): string {
  const head = [s.caseId, s.caseTitle, s.result, s.outcome, s.finalStatus, s.endedBy, s.duration].map((h) => `<th>${esc(h)}</th>`).join('');
  const rows = cases.map((c) => {
    const r = c.result;
    const cells = [
      `<a href="#case-${esc(r.id)}">${esc(r.id)}</a>`,
      esc(c.title),
      verdict(r.passed, s),
      esc(c.outcome),
      esc(r.finalStatus === undefined ? '' : String(r.finalStatus)),
      esc(c.endedBy),
      formatSeconds(r.durationMs),
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table class="summary">\n<tr>${head}</tr>\n${rows.join('\n')}\n</table>`;
}

function caseSection(report: CaseReport, index: number, s: ReportStrings, lang: Lang): string {
  const r = report.result;
  const out: string[] = [`<section id="case-${esc(r.id)}">`, `<h2>${esc(r.id)} — ${esc(report.title)} ${verdict(r.passed, s)}</h2>`];
  if (report.description) out.push(`<p>${esc(report.description)}</p>`);
  if (report.caseText) out.push(`<h3>${esc(s.whatHappens)}</h3>`, `<p>${esc(report.caseText)}</p>`);
  if (report.endedByText) out.push(`<p class="ended-by"><b>${esc(s.endedBy)}: ${esc(report.endedBy)}.</b> ${esc(report.endedByText)}</p>`);
  if (r.difference) out.push(`<p class="difference"><b>${esc(s.difference)}:</b> ${esc(differenceText(r.difference, lang))}</p>`);
  if (r.error) out.push(`<p class="difference"><b>${esc(s.error)}:</b> ${esc(differenceText(r.error, lang))}</p>`);
  if (r.findings && r.findings.length > 0) out.push(`<p><b>${esc(s.findings)}:</b></p><ul class="findings">${r.findings.map((f) => `<li>${esc(f.party)}: ${esc(findingText(f.message, lang))}</li>`).join('')}</ul>`);
  if (report.flows.length > 0) {
    out.push(`<h3>${esc(s.flows)}</h3>`, '<div class="flows">');
    for (const flow of report.flows) {
      out.push(`<table class="flow"><caption>${esc(flow.caption)}</caption>`);
      out.push(`<tr><th>#</th><th>${esc(s.expected)}</th><th>${esc(s.observed)}</th></tr>`);
      flow.rows.forEach((row, i) => {
        const cls = row.first ? ' class="first-diff"' : row.differs ? ' class="differs"' : '';
        const note = row.first ? ` title="${esc(s.firstDifference)}"` : '';
        out.push(`<tr${cls}${note}><td>${i + 1}</td><td>${esc(row.expected ?? '—')}</td><td>${esc(row.observed ?? '—')}</td></tr>`);
      });
      out.push('</table>');
    }
    out.push('</div>');
  }
  out.push(`<h3>${esc(s.ladder)}</h3>`);
  if (report.ladder.arrows.length === 0) out.push(`<p>${esc(s.noMessages)}</p>`);
  else {
    if (report.calls.length > 0) out.push(`<p>${esc(s.calls)}:</p><ul class="calls">${report.calls.map((c) => `<li>${esc(c.text)}</li>`).join('')}</ul>`);
    if (report.original) out.push(comparedLadders(report, index, s));
    else out.push(`<figure>${renderLadderSvg(report.ladder, { idPrefix: `ladder-${index}`, title: `${r.id} ladder`, inline: true })}</figure>`);
  }
  if (report.steps.length > 0) {
    out.push(`<h3>${esc(s.steps)}</h3>`, '<ol class="steps">');
    for (const step of report.steps) {
      const a = step.arrow;
      out.push(
        `<li><span class="step-head">${formatSeconds(a.offsetMs)} ${esc(a.from)} → ${esc(a.to)}: <b>${esc(a.caption)}</b></span> ${esc(step.text)}` +
          (step.digest.length > 0 ? factsTable(s.digestFields, step.digest) : '') +
          `<details><summary>${esc(s.message)}</summary><pre>${esc(a.raw)}</pre></details></li>`,
      );
    }
    out.push('</ol>');
  }
  out.push(`<h3>${esc(s.media)}</h3>`, mediaTable(report, s));
  if (report.topics.length > 0) {
    out.push(`<h3>${esc(s.headers)}</h3>`, '<dl>');
    for (const topic of report.topics) out.push(`<dt>${esc(topic.title)}</dt><dd>${esc(topic.text[lang])}</dd>`);
    out.push('</dl>');
  }
  out.push('</section>');
  return out.join('\n');
}

/** The run's ladder and the original capture's side by side, arrows without a counterpart shaded. */
function comparedLadders(report: CaseReport, index: number, s: ReportStrings): string {
  const original = report.original!;
  const id = report.result.id;
  const source = `${original.capture} (Call-ID ${original.calls.join(', ')})`;
  const run = renderLadderSvg(report.ladder, { idPrefix: `ladder-${index}`, title: `${id} ladder`, inline: true, marked: original.unmatched.run });
  const out = ['<div class="ladders">', `<figure class="run-ladder"><figcaption>${esc(s.thisRunLadder)}</figcaption>${run}</figure>`];
  if (original.ladder) {
    const svg = renderLadderSvg(original.ladder, { idPrefix: `original-${index}`, title: `${id}: ${s.originalLadder} ${source}`, inline: true, marked: original.unmatched.original });
    out.push(`<figure class="original-ladder"><figcaption>${esc(s.originalLadder)}: ${esc(source)}</figcaption>${svg}</figure>`);
  } else {
    out.push(`<figure class="original-ladder"><figcaption>${esc(s.originalLadder)}: ${esc(source)}</figcaption><p class="difference">${esc(s.originalUnread)}: ${esc(original.problem ?? '')}</p></figure>`);
  }
  out.push('</div>');
  if (original.unmatched.run.size + original.unmatched.original.size > 0) out.push(`<p class="meta">${esc(s.unmatchedNote)}</p>`);
  return out.join('\n');
}

function mediaTable(report: CaseReport, s: ReportStrings): string {
  if (report.media.length === 0) return `<p>${esc(s.noMedia)}</p>`;
  const head = [s.party, s.codec, s.sentPackets, s.toneSent, s.receivedPackets, s.lost, s.jitter, s.mos, s.toneHeard, s.dtmf];
  const rows = report.media.map((m) => {
    const cells = [
      m.party,
      m.codec,
      String(m.sent.packets),
      m.sent.toneHz === undefined ? '' : String(m.sent.toneHz),
      String(m.received.packets),
      `${m.received.lost} (${lossPercent(m)} %)`,
      m.received.jitterMs.toFixed(1),
      m.received.mos === undefined ? '' : m.received.mos.toFixed(2),
      m.received.detectedHz === undefined ? '' : String(Math.round(m.received.detectedHz)),
      m.received.dtmf ?? '',
    ];
    return `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
  });
  return `<table class="media">\n<tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>\n${rows.join('\n')}\n</table>`;
}

function factsTable(caption: string, facts: ReadonlyArray<readonly [string, string]>): string {
  const rows = facts.map(([name, value]) => `<tr><td>${esc(name)}</td><td>${esc(value)}</td></tr>`).join('');
  return `<table class="facts"><caption>${esc(caption)}</caption>${rows}</table>`;
}

/** Per bot: REGISTER, 401, REGISTER with credentials, 200, refreshes and the unregister, fields whole. */
function registrationSection(report: RunReport, s: ReportStrings): string {
  const out = [`<section id="registration">`, `<h2>${esc(s.registration)}</h2>`, `<p>${esc(s.registrationIntro)}</p>`];
  for (const bot of report.registrations) {
    out.push(`<h3 id="registration-${esc(bot.party)}">${esc(bot.party)}</h3>`, `<p class="registration-summary">${esc(bot.summary)}</p>`, '<ol class="steps">');
    for (const row of bot.rows) {
      const a = row.arrow;
      out.push(
        `<li><span class="step-head">${formatSeconds(a.offsetMs)} ${esc(a.from)} → ${esc(a.to)}: <b>${esc(a.caption)}</b></span> ${esc(row.text)}` +
          (row.facts.length > 0 ? factsTable(s.fields, row.facts) : '') +
          `<details><summary>${esc(s.message)}</summary><pre>${esc(a.raw)}</pre></details></li>`,
      );
    }
    out.push('</ol>');
  }
  out.push('</section>');
  return out.join('\n');
}

/** The no-answer variants side by side: lecture, standard, capture, proxy timer, and this run. */
function noAnswerSection(report: RunReport, s: ReportStrings, lang: Lang): string {
  const out = [`<section id="no-answer-discussion">`, `<h2>${esc(s.noAnswer)}</h2>`, `<p>${esc(NO_ANSWER_DISCUSSION[lang])}</p>`, '<table class="no-answer">'];
  out.push(`<tr>${[s.variant, s.whose, s.source, s.callerLeg, s.calleeLeg, s.thisRun].map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`);
  for (const row of report.noAnswer) {
    const v = row.variant;
    const run = row.result
      ? `${verdict(row.result.passed, s)}<br><code>${esc(row.caller ?? '')}</code><br><code>${esc(row.callee ?? '')}</code>`
      : esc(s.notRun);
    const id = row.result ? `<a href="#case-${esc(v.caseId)}">${esc(v.caseId)}</a>` : esc(v.caseId);
    out.push(`<tr><td>${id}</td><td>${esc(v.whose[lang])}</td><td>${esc(v.source[lang])}</td><td><code>${esc(v.caller)}</code></td><td><code>${esc(v.callee)}</code></td><td>${run}</td></tr>`);
  }
  out.push('</table>', '</section>');
  return out.join('\n');
}
