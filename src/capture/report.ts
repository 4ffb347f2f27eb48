import type { SipbotsEvent } from '../events/types.js';
import type { RunSummary } from '../scenario/result-types.js';
import { buildRunReport, type ReportOptions } from './report-model.js';
import { renderReportHtml } from './report-html.js';
import { renderReportMd } from './report-md.js';

export type { ReportOptions };

/** `report.html` and `report.md` for a run, in English or Chinese, from its summary and events. */
export function renderReport(summary: RunSummary, events: readonly SipbotsEvent[], options: ReportOptions): { html: string; md: string } {
  const report = buildRunReport(summary, events, options);
  return { html: renderReportHtml(summary, report, options.lang), md: renderReportMd(summary, report, options.lang) };
}
