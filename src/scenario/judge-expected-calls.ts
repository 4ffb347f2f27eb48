import type { Call } from '../bot/call.js';
import type { MediaStatsEvent, SipMessageEvent } from '../events/types.js';
import { compareFlow } from './compare-flow.js';
import type { ClaimedCall } from './expected-calls.js';
import { judgeMedia } from './judge-media.js';
import { flowToken, legMessages } from './observed-flow.js';
import { outcomeOf } from './outcome.js';
import type { ExpectedCallResult } from './result-types.js';

export interface ExpectedCallVerdict {
  result: ExpectedCallResult;
  /** Every difference, in plain words, each naming the expected call. */
  differences: string[];
}

/**
 * Judges one expected incoming call (`expect.calls.<name>`): that it arrived, in time, ended
 * with the expected status or outcome, and that its leg and media at the receiving role match.
 * `toneOfRole` resolves `hears: <role>` to that role's bot's tone.
 */
export function judgeExpectedCall(
  claim: ClaimedCall,
  messages: readonly SipMessageEvent[],
  stats: readonly MediaStatsEvent[],
  options: { checkMedia: boolean; toneOfRole: (role: string) => number | undefined },
): ExpectedCallVerdict {
  const { expected, bot, call } = claim;
  const label = `expected call ${expected.name}`;
  const base = { name: expected.name, role: expected.role, party: bot.name };
  if (!call) {
    const from = expected.from.kind === 'any' ? 'anyone' : expected.from.text;
    return {
      result: { ...base, arrived: false, passed: false, difference: `received no call from ${from} within ${expected.withinMs / 1000} s` },
      differences: [`${label}: ${expected.role} (${bot.name}) received no call from ${from} within ${expected.withinMs / 1000} s`],
    };
  }
  const differences: string[] = [];
  const observed = legMessages(messages, bot.name, call.callId, 'callee');
  const heard = stats.find((e) => e.party === bot.name && e.callId === call.callId);
  if (claim.arrivedAfterMs !== undefined && claim.arrivedAfterMs > expected.withinMs) {
    differences.push(`${label} arrived after ${(claim.arrivedAfterMs / 1000).toFixed(1)} s, later than within ${expected.withinMs / 1000} s`);
  }
  const outcome = outcomeOf(call);
  if (expected.status !== undefined && call.finalStatus !== expected.status) {
    differences.push(`${label}: expected ${expected.role} to end it with ${expected.status}, it ended with ${call.finalReason ?? 'no final response'}`);
  }
  if (expected.outcome !== undefined && outcome !== expected.outcome) {
    differences.push(`${label}: expected it ${expected.outcome}, it was ${outcome} (${call.finalReason ?? 'no final response'})`);
  }
  if (expected.leg) {
    const difference = compareFlow(`${expected.role} (${label})`, expected.leg, observed);
    if (difference) differences.push(difference);
  }
  if (expected.media && options.checkMedia) {
    const tone = (hears: number | string | undefined) => (typeof hears === 'string' ? options.toneOfRole(hears) : hears);
    const difference = judgeMedia(`${expected.role} (${label})`, expected.media, tone(expected.media.hears), heard, tone(expected.media.hearsBeforeAnswer));
    if (difference) differences.push(difference);
  }
  return {
    result: {
      ...base,
      arrived: true,
      callId: call.callId,
      ...(call.remoteUri === undefined ? {} : { from: call.remoteUri }),
      ...(claim.arrivedAfterMs === undefined ? {} : { arrivedAfterMs: claim.arrivedAfterMs }),
      ...(call.finalStatus === undefined ? {} : { finalStatus: call.finalStatus }),
      outcome,
      ...(expected.leg ? { expected: expected.leg.map((p) => p.text) } : {}),
      observed: observed.map(flowToken),
      ...(heard?.received.detectedHz === undefined ? {} : { detectedHz: heard.received.detectedHz }),
      ...(heard?.received.dtmf ? { dtmf: heard.received.dtmf } : {}),
      passed: differences.length === 0,
      ...(differences.length > 0 ? { difference: differences[0] } : {}),
    },
    differences,
  };
}

/** Has this call ever been in `state`? (`ringing` also holds for a call answered without a 180.) */
export function hasReached(call: Call, state: 'ringing' | 'confirmed' | 'terminated'): boolean {
  if (state === 'ringing') return call.history.some((s) => s === 'ringing' || s === 'early' || s === 'confirmed');
  return call.history.includes(state);
}
