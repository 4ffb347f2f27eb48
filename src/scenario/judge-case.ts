import type { Bot } from '../bot/bot.js';
import type { Call } from '../bot/call.js';
import type { CallStep, Scenario } from '../config/scenario-types.js';
import type { FindingEvent, MediaStatsEvent, SipbotsEvent, SipMessageEvent } from '../events/types.js';
import { callEnding, endingParty, type CallEnding } from './call-ending.js';
import { compareFlow } from './compare-flow.js';
import type { ClaimedCall } from './expected-calls.js';
import { judgeExpectedCall } from './judge-expected-calls.js';
import { judgeHeaders } from './judge-headers.js';
import { judgeMedia } from './judge-media.js';
import { timeoutCause } from './timeout-cause.js';
import { outcomeOf } from './outcome.js';
import { flowToken, legMessages, type LegRole } from './observed-flow.js';
import type { CaseResult, ExpectedCallResult, LegResult, MediaLegResult } from './result-types.js';

/** A call a scenario step placed, with the bots on both ends. */
export interface PlayedCall {
  step: CallStep;
  scenario: Scenario;
  caller: Bot;
  callee: Bot | undefined;
  call: Call;
  /** The callee-side calls this step created (normally one). */
  incoming: () => Call[];
}

interface CaseTiming {
  startedAt: number;
  endedAt: number;
  error?: string;
  checkMedia: boolean;
  /** The expected incoming calls and what arrived for each. */
  expectedCalls?: readonly ClaimedCall[];
  /** The tone of a role's bot, for `hears: <role>` in an expected call's media. */
  toneOfRole?: (role: string) => number | undefined;
}

/** Turns what was recorded during a case into its verdict. */
export function judgeCase(scenario: Scenario, played: ReadonlyMap<string, PlayedCall>, recorded: readonly SipbotsEvent[], timing: CaseTiming): CaseResult {
  const main = played.get(scenario.expect.call);
  const messages = recorded.filter((e): e is SipMessageEvent => e.type === 'sip');
  const flows: Record<string, LegResult> = {};
  const media: Record<string, MediaLegResult> = {};
  const differences: string[] = [];
  if (timing.error) differences.push(timing.error);
  if (main) {
    for (const [role, patterns] of Object.entries(scenario.expect.legs)) {
      const leg = locateLeg(main, role);
      if (!leg) continue;
      const observed = leg.callId ? legMessages(messages, leg.party, leg.callId, leg.side) : [];
      flows[role] = { party: leg.party, callId: leg.callId, expected: patterns.map((p) => p.text), observed: observed.map(flowToken) };
      const difference = compareFlow(role, patterns, observed);
      if (difference) differences.push(difference);
    }
    const statsOf = (role: string) => {
      const leg = locateLeg(main, role);
      return recorded.find((e): e is MediaStatsEvent => e.type === 'media-stats' && e.party === leg?.party && e.callId === leg?.callId);
    };
    for (const role of ['caller', 'callee']) {
      const stats = statsOf(role);
      if (stats) media[role] = mediaLegResult(stats);
    }
    for (const [role, expectation] of Object.entries(timing.checkMedia ? scenario.expect.media : {})) {
      const stats = statsOf(role);
      const tone = (hears: number | string | undefined) => (typeof hears === 'string' ? toneOfRole(main, hears) : hears);
      const difference = judgeMedia(role, expectation, tone(expectation.hears), stats, tone(expectation.hearsBeforeAnswer));
      if (difference) differences.push(difference);
    }
    const status = main.call.finalStatus;
    if (scenario.expect.status !== undefined && status !== scenario.expect.status) {
      differences.push(`expected the caller to end with ${scenario.expect.status}, saw ${main.call.finalReason ?? 'no final response'}`);
    }
  } else if (!timing.error && scenario.expect.call !== '') {
    differences.push(`the call ${scenario.expect.call} was never placed`);
  } else if (!timing.error && !judgesWithoutCall(scenario)) {
    differences.push('nothing to judge: no call step, no expected call (expect.calls), no request step and no expect.headers');
  }
  if (main && differences.length > 0 && !expects408(scenario)) {
    const cause = timeoutCause(main, messages);
    if (cause) differences[0] = `${differences[0]}; ${cause}`;
  }
  const calls = judgeIncoming(timing, messages, recorded, differences);
  differences.push(...judgeHeaders(scenario.expect.headers ?? [], scenario.roles, messages));
  const legs = Object.fromEntries(Object.entries(flows).map(([role, leg]) => [role, leg.observed]));
  const findings = recorded
    .filter((e): e is FindingEvent => e.type === 'finding')
    .map((e) => ({ party: e.party, ...(e.callId === undefined ? {} : { callId: e.callId }), message: e.message }));
  const received = (timing.expectedCalls ?? []).flatMap((c) => (c.call ? [c.call.callId] : []));
  const callIds = [...new Set([...[...played.values()].flatMap((p) => [p.call.callId, ...p.incoming().map((c) => c.callId)]), ...received])];
  return {
    id: scenario.id,
    title: scenario.title,
    description: scenario.description,
    ...(scenario.translations?.zh ? { translations: scenario.translations } : {}),
    passed: differences.length === 0,
    durationMs: Math.round(timing.endedAt - timing.startedAt),
    legs,
    flows,
    difference: differences[0],
    finalStatus: main?.call.finalStatus,
    ...(main ? { outcome: outcomeOf(main.call) } : differences.length > 0 ? { outcome: 'failed' as const } : {}),
    ...endingOf(main ? callEnding(flows) : undefined),
    ...(Object.keys(media).length > 0 ? { media } : {}),
    ...(calls === undefined ? {} : { calls }),
    ...(findings.length > 0 ? { findings } : {}),
    callIds,
    ...(scenario.source ? { source: scenario.source } : {}),
    startedAt: timing.startedAt,
    endedAt: timing.endedAt,
    ...(timing.error ? { error: timing.error } : {}),
  };
}

/** A 408 the case itself expects is no cause of its failure. */
function expects408(scenario: Scenario): boolean {
  return scenario.expect.status === 408 || (scenario.expect.legs.caller ?? []).some((p) => p.status === 408 && !p.optional);
}

/** Each expected incoming call's verdict by name; its differences join the case's. */
function judgeIncoming(
  timing: CaseTiming,
  messages: readonly SipMessageEvent[],
  recorded: readonly SipbotsEvent[],
  differences: string[],
): Record<string, ExpectedCallResult> | undefined {
  const claims = timing.expectedCalls ?? [];
  if (claims.length === 0) return undefined;
  const stats = recorded.filter((e): e is MediaStatsEvent => e.type === 'media-stats');
  const toneOfRole = timing.toneOfRole ?? (() => undefined);
  const results: Record<string, ExpectedCallResult> = {};
  for (const claim of claims) {
    const verdict = judgeExpectedCall(claim, messages, stats, { checkMedia: timing.checkMedia, toneOfRole });
    results[claim.expected.name] = verdict.result;
    differences.push(...verdict.differences);
  }
  return results;
}

/** A case without a call step is judged by its expected calls, its request steps or its header checks. */
function judgesWithoutCall(scenario: Scenario): boolean {
  const requests = scenario.steps.some((step) => step.kind === 'message' || step.kind === 'options' || step.kind === 'register' || step.kind === 'subscribe');
  return requests || (scenario.expect.calls ?? []).length > 0 || (scenario.expect.headers ?? []).length > 0;
}

function mediaLegResult(stats: MediaStatsEvent): MediaLegResult {
  const { received } = stats;
  return {
    party: stats.party,
    callId: stats.callId,
    codec: stats.codec,
    sentPackets: stats.sent.packets,
    receivedPackets: received.packets,
    lost: received.lost,
    jitterMs: Math.round(received.jitterMs * 100) / 100,
    ...(received.detectedHz === undefined ? {} : { detectedHz: received.detectedHz }),
    ...(received.dtmf ? { dtmf: received.dtmf } : {}),
  };
}

function toneOfRole(main: PlayedCall, role: string): number | undefined {
  const bot = role === main.step.from || role === 'caller' ? main.caller : main.callee;
  return bot?.account.tone;
}

function locateLeg(main: PlayedCall, role: string): { party: string; callId: string | undefined; side: LegRole } | undefined {
  if (role === main.step.from || role === 'caller') return { party: main.caller.name, callId: main.call.callId, side: 'caller' };
  const calleeRole = main.step.to.kind === 'role' ? main.step.to.role : undefined;
  if ((role === calleeRole || role === 'callee') && main.callee) {
    return { party: main.callee.name, callId: main.incoming()[0]?.callId, side: 'callee' };
  }
  return undefined;
}

/** `ending` says how (caller-bye, callee-busy, …); `endedBy` keeps the party for scripts. */
function endingOf(ending: CallEnding | undefined): Pick<CaseResult, 'ending' | 'endedBy'> {
  return ending === undefined ? {} : { ending, endedBy: endingParty(ending) };
}
