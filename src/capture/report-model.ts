import type { MediaStatsEvent, SipbotsEvent } from '../events/types.js';
import type { CaseResult, RunSummary } from '../scenario/result-types.js';
import type { Lang } from './explanations-cases.js';
import type { HeaderTopic } from './explanations-headers.js';
import { classifyStep, explainCase, explainEndedBy, explainStep, headerTopicsIn, type StepKind } from './explanations.js';
import { buildLadder, type Ladder, type LadderArrow } from './ladder-model.js';

export interface ReportOptions {
  lang: Lang;
}

export interface FlowRow {
  expected?: string;
  observed?: string;
  differs: boolean;
  /** The first row where expected and observed part ways. */
  first: boolean;
}

export interface FlowTable {
  role: string;
  party: string;
  rows: FlowRow[];
}

export interface ReportStep {
  arrow: LadderArrow;
  kind: StepKind;
  text: string;
}

/** Everything one case section shows, computed once for both the HTML and the Markdown. */
export interface CaseReport {
  result: CaseResult;
  caseText?: string;
  endedByText?: string;
  flows: FlowTable[];
  ladder: Ladder;
  steps: ReportStep[];
  media: MediaStatsEvent[];
  topics: HeaderTopic[];
}

export function buildCaseReports(summary: RunSummary, events: readonly SipbotsEvent[], options: ReportOptions): CaseReport[] {
  return summary.cases.map((result) => buildCaseReport(result, events, options.lang));
}

function buildCaseReport(result: CaseResult, events: readonly SipbotsEvent[], lang: Lang): CaseReport {
  const callIds = new Set(result.callIds);
  const belongs = (e: SipbotsEvent) => e.caseId === result.id || ('callId' in e && e.callId !== undefined && callIds.has(e.callId));
  const mine = events.filter(belongs);
  const preferred = [result.flows.caller?.party, 'proxy', result.flows.callee?.party].filter((p): p is string => p !== undefined);
  const ladder = buildLadder(mine, { columns: preferred });
  const steps = ladder.arrows.map((arrow, i) => {
    const kind = classifyStep(arrow, ladder.arrows.slice(0, i));
    return { arrow, kind, text: explainStep(kind, lang) };
  });
  return {
    result,
    caseText: explainCase(result.id, lang),
    endedByText: explainEndedBy(result.endedBy, lang),
    flows: Object.entries(result.flows).map(([role, leg]) => ({ role, party: leg.party, rows: flowRows(leg.expected, leg.observed) })),
    ladder,
    steps,
    media: mine.filter((e): e is MediaStatsEvent => e.type === 'media-stats'),
    topics: headerTopicsIn(ladder.arrows.map((a) => a.raw)),
  };
}

/**
 * Expected and observed side by side; the first mismatch is marked. An optional step (`<100?`)
 * matches its step when it happened and otherwise stands alone on its row, as the verdict
 * (compare-flow.ts) reads it: a passed case shows no difference.
 */
export function flowRows(expected: readonly string[], observed: readonly string[]): FlowRow[] {
  const rows: FlowRow[] = [];
  let marked = false;
  const push = (e: string | undefined, o: string | undefined, differs: boolean) => {
    rows.push({ expected: e, observed: o, differs, first: differs && !marked });
    if (differs) marked = true;
  };
  let next = 0;
  for (const pattern of expected) {
    const optional = pattern.endsWith('?');
    if (observed[next] === (optional ? pattern.slice(0, -1) : pattern)) push(pattern, observed[next++], false);
    else if (optional) push(pattern, undefined, false);
    else push(pattern, observed[next++], true);
  }
  while (next < observed.length) push(undefined, observed[next++], true);
  return rows;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

export function lossPercent(media: MediaStatsEvent): string {
  const expected = media.received.packets + media.received.lost;
  return expected === 0 ? '0.0' : ((100 * media.received.lost) / expected).toFixed(1);
}
