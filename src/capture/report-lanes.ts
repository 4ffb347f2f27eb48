import type { Lang } from './explanations-cases.js';
import type { Ladder, LadderArrow } from './ladder-model.js';

/** A call of a case with several (busy-in-call): its label on the arrows, and who called whom. */
export interface CallLegend {
  /** `1`, `2`: the prefix `[1]` its arrows carry in the ladder. */
  number: number;
  callId: string;
  from: string;
  to: string;
  /** The call whose legs the case compares. */
  compared: boolean;
  text: string;
}

/**
 * Lanes so that arrows cross as few lifelines as they must: the compared call's caller
 * leftmost, other callers next to it, then the server every call passes (the party on most
 * arrows), then the callees. With two callers and one server, one caller's arrows have to
 * cross the other's lifeline; the compared call is the shorter one in the lab, so it does.
 */
export function orderLanes(arrows: readonly LadderArrow[], mainCaller: string | undefined): string[] {
  const weight = new Map<string, number>();
  for (const a of arrows) for (const p of [a.from, a.to]) weight.set(p, (weight.get(p) ?? 0) + 1);
  const hub = [...weight.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const callers: string[] = [];
  const callees: string[] = [];
  for (const a of arrows) {
    if (a.method !== 'INVITE' || hasToTag(a.raw)) continue;
    if (a.from !== hub && !callers.includes(a.from)) callers.push(a.from);
    if (a.to !== hub && !callers.includes(a.to) && !callees.includes(a.to)) callees.push(a.to);
  }
  const lanes = mainCaller && callers.includes(mainCaller) ? [mainCaller, ...callers.filter((c) => c !== mainCaller)] : callers;
  if (hub !== undefined) lanes.push(hub);
  for (const c of callees) if (!lanes.includes(c)) lanes.push(c);
  return lanes;
}

/**
 * Tells the calls of a multi-call ladder apart: every arrow's caption gets `[n] `, and the
 * legend says which call is which. A single-call ladder is left as it is.
 */
export function labelCalls(ladder: Ladder, comparedCallId: string | undefined, lang: Lang): CallLegend[] {
  const order: string[] = [];
  for (const a of ladder.arrows) if (a.callId !== undefined && !order.includes(a.callId)) order.push(a.callId);
  if (order.length < 2) return [];
  for (const a of ladder.arrows) if (a.callId !== undefined) a.caption = `[${order.indexOf(a.callId) + 1}] ${a.caption}`;
  return order.map((callId, i) => {
    const invites = ladder.arrows.filter((a) => a.callId === callId && a.method === 'INVITE' && !hasToTag(a.raw));
    const from = invites[0]?.from ?? '?';
    const to = invites.at(-1)?.to ?? '?';
    const compared = callId === comparedCallId;
    const text =
      lang === 'zh'
        ? `[${i + 1}] 呼叫 ${i + 1}：${from} → ${to}${compared ? '（本用例比较的呼叫）' : ''}，Call-ID ${callId}`
        : `[${i + 1}] call ${i + 1}: ${from} → ${to}${compared ? ' (the call this case compares)' : ''}, Call-ID ${callId}`;
    return { number: i + 1, callId, from, to, compared, text };
  });
}

function hasToTag(raw: string): boolean {
  return /^(?:To|t)\s*:[^\r\n]*;\s*tag=/im.test(raw);
}
