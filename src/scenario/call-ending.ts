/**
 * How a call ended, read off the legs' observed flows: the one place that decides it, for the
 * summary, the terminal line and the report.
 *
 * - `caller-bye` / `callee-bye`: an answered call, hung up by that side (RFC 3261 §15).
 * - `callee-rejected`: the callee rang, then answered a final failure (486 after 180, or 603).
 * - `callee-busy`: 486 or 600 without ringing first: a busy phone does not ring.
 * - `caller-cancel`: the caller sent CANCEL while it rang (its user or its own no-answer timer).
 * - `callee-timer`: the callee's agent gave up ringing and answered 408 itself.
 * - `proxy-timer`: the caller got a 408 the callee never sent: the proxy's INVITE timer
 *   (RFC 3261 §16.8 timer C, Kamailio's fr_inv_timer) fired.
 */
export const CALL_ENDINGS = ['caller-bye', 'callee-bye', 'callee-rejected', 'callee-busy', 'caller-cancel', 'callee-timer', 'proxy-timer'] as const;

export type CallEnding = (typeof CALL_ENDINGS)[number];

/** Which party's action ended the call: `caller`, `callee` or `proxy`. */
export type EndingParty = 'caller' | 'callee' | 'proxy';

const BUSY = new Set([486, 600]);
const USER_REFUSALS = new Set([486, 600, 603]);
/** Challenges, a timeout and the answer to a CANCEL: not the callee refusing. */
const NOT_A_REFUSAL = new Set([401, 407, 408, 487]);

/** What callEnding reads of a leg (a LegResult has it; result-types.ts imports this file's types). */
export interface ObservedLeg {
  readonly observed: readonly string[];
}

export function callEnding(flows: Readonly<Record<string, ObservedLeg>>): CallEnding | undefined {
  const caller = flows.caller?.observed ?? [];
  const callee = flows.callee?.observed ?? [];
  if (caller.includes('BYE>') || callee.includes('<BYE')) return 'caller-bye';
  if (callee.includes('BYE>') || caller.includes('<BYE')) return 'callee-bye';
  // Before the 408 checks: in the captured no-answer flow the caller cancels and the server still answers 408.
  if (caller.includes('CANCEL>')) return 'caller-cancel';
  if (callee.includes('408>')) return 'callee-timer';
  if (caller.includes('<408')) return 'proxy-timer';
  // The callee's own final failure; without a callee leg (a self-call) the caller's view of a
  // status only a user agent gives about its user (a 404 or 480 there is the proxy's word).
  const failure = finalFailure(callee, '>') ?? finalFailure(caller, '<', USER_REFUSALS);
  if (failure === undefined) return undefined;
  const rang = callee.length > 0 ? callee.includes('180>') : caller.includes('<180');
  return BUSY.has(failure) && !rang ? 'callee-busy' : 'callee-rejected';
}

export function endingParty(ending: CallEnding): EndingParty {
  return ending === 'proxy-timer' ? 'proxy' : ending.startsWith('caller') ? 'caller' : 'callee';
}

/** The first final failure on a leg (`486>` sent, `<486` received), challenges and 487 aside. */
function finalFailure(tokens: readonly string[], side: '<' | '>', only?: ReadonlySet<number>): number | undefined {
  for (const token of tokens) {
    const digits = side === '>' ? token.slice(0, -1) : token.slice(1);
    if (!/^[3-6]\d\d$/.test(digits) || (side === '>' ? !token.endsWith('>') : !token.startsWith('<'))) continue;
    const status = Number(digits);
    if (NOT_A_REFUSAL.has(status) || (only && !only.has(status))) continue;
    return status;
  }
  return undefined;
}
