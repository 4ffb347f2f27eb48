import type { MediaStatsEvent, SipbotsEvent } from '../events/types.js';
import type { CaseResult, RunSummary } from '../scenario/result-types.js';
import type { Lang } from './explanations-cases.js';
import type { HeaderTopic } from './explanations-headers.js';
import { endingLabel, explainEnding, outcomeLabel, roleWithParty } from './explanations-endings.js';
import { explainHop } from './explanations-hops.js';
import { NO_ANSWER_VARIANTS, type NoAnswerVariant } from './explanations-no-answer.js';
import { classifyStep, explainCase, explainStep, headerTopicsIn, type StepKind } from './explanations.js';
import { buildLadder, type Ladder, type LadderArrow } from './ladder-model.js';
import type { OriginalCapture } from './original-capture.js';
import { originalLadder, type OriginalLadder } from './original-ladder.js';
import { orderLanes, labelCalls, type CallLegend } from './report-lanes.js';
import { buildRegistrationReports, digestFacts, type RegistrationReport } from './report-registration.js';

export interface ReportOptions {
  lang: Lang;
  /** The captures scenarios were made from (`source:`), by case id (readOriginalCaptures). */
  originals?: ReadonlyMap<string, OriginalCapture>;
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
  /** `caller (alice)` in the report's language. */
  caption: string;
  rows: FlowRow[];
}

export interface ReportStep {
  arrow: LadderArrow;
  kind: StepKind;
  text: string;
  /** Digest parameters of a challenge or credentials, each value whole (nonce, response, qop, …). */
  digest: Array<[name: string, value: string]>;
}

/** Everything one case section shows, computed once for both the HTML and the Markdown. */
export interface CaseReport {
  result: CaseResult;
  /** Title and description in the report's language (English when the file gives no other). */
  title: string;
  description?: string;
  outcome: string;
  endedBy: string;
  caseText?: string;
  endedByText?: string;
  /** One entry per call when the case made several (busy-in-call), else empty. */
  calls: CallLegend[];
  flows: FlowTable[];
  ladder: Ladder;
  /** The ladder of the capture the scenario was made from, when it names one. */
  original?: OriginalLadder;
  steps: ReportStep[];
  media: MediaStatsEvent[];
  topics: HeaderTopic[];
}

/** The whole report: one section per case, then each bot's registration. */
export interface RunReport {
  cases: CaseReport[];
  registrations: RegistrationReport[];
  /** The closing comparison of the no-answer variants, when one of them ran. */
  noAnswer: NoAnswerRow[];
}

/** A no-answer variant as expected, and the legs this run observed for it (from the last 180 on). */
export interface NoAnswerRow {
  variant: NoAnswerVariant;
  result?: CaseResult;
  caller?: string;
  callee?: string;
}

export function buildRunReport(summary: RunSummary, events: readonly SipbotsEvent[], options: ReportOptions): RunReport {
  return {
    cases: summary.cases.map((result) => buildCaseReport(result, events, options.lang, options.originals?.get(result.id))),
    registrations: buildRegistrationReports(events, summary.durationMs, options.lang),
    noAnswer: noAnswerRows(summary.cases),
  };
}

function noAnswerRows(results: readonly CaseResult[]): NoAnswerRow[] {
  if (!results.some((r) => NO_ANSWER_VARIANTS.some((v) => v.caseId === r.id))) return [];
  return NO_ANSWER_VARIANTS.map((variant) => {
    const result = results.find((r) => r.id === variant.caseId);
    if (!result) return { variant };
    const caller = result.flows.caller?.observed;
    const callee = result.flows.callee?.observed;
    return { variant, result, ...(caller ? { caller: fromLastRinging(caller) } : {}), ...(callee ? { callee: fromLastRinging(callee) } : {}) };
  });
}

/** `<180, CANCEL>, …`: a leg from its last 180 on, as the discussion table writes it. */
function fromLastRinging(tokens: readonly string[]): string {
  const last = Math.max(tokens.lastIndexOf('<180'), tokens.lastIndexOf('180>'));
  return tokens.slice(Math.max(0, last)).join(', ');
}

function buildCaseReport(result: CaseResult, events: readonly SipbotsEvent[], lang: Lang, original: OriginalCapture | undefined): CaseReport {
  const callIds = new Set(result.callIds);
  const belongs = (e: SipbotsEvent) => e.caseId === result.id || ('callId' in e && e.callId !== undefined && callIds.has(e.callId));
  const mine = events.filter(belongs).filter((e) => e.type !== 'sip' || !/\bREGISTER\s*$/i.test(e.cseq ?? ''));
  const caller = result.flows.caller?.party;
  const callee = result.flows.callee?.party;
  const unordered = buildLadder(mine);
  const ladder = buildLadder(mine, { columns: orderLanes(unordered.arrows, caller) });
  const calls = labelCalls(ladder, result.flows.caller?.callId, lang);
  const steps = ladder.arrows.map((arrow, i) => {
    const earlier = ladder.arrows.slice(0, i);
    const kind = classifyStep(arrow, earlier);
    const hop = explainHop(arrow, kind, earlier, { caseId: result.id, caller, callee, lang });
    return { arrow, kind, text: hop ? `${explainStep(kind, lang)} ${hop}` : explainStep(kind, lang), digest: digestFacts(arrow.raw) };
  });
  const translated = lang === 'en' ? undefined : result.translations?.[lang];
  return {
    result,
    title: translated?.title ?? result.title,
    ...(translated?.description ?? result.description ? { description: translated?.description ?? result.description } : {}),
    outcome: outcomeLabel(result.outcome, lang),
    endedBy: endingLabel(result.ending, lang),
    calls,
    caseText: explainCase(result.id, lang),
    endedByText: explainEnding(result.ending, result.finalStatus, lang),
    flows: Object.entries(result.flows).map(([role, leg]) => ({ role, party: leg.party, caption: roleWithParty(role, leg.party, lang), rows: flowRows(leg.expected, leg.observed) })),
    ladder,
    ...(original ? { original: originalLadder(original, ladder) } : {}),
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
