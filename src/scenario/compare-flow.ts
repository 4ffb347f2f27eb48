import type { FlowPattern } from '../config/flow-pattern.js';
import type { SipMessageEvent } from '../events/types.js';
import { cseqMethod, describeMessage } from './observed-flow.js';

export function matchesPattern(pattern: FlowPattern, event: SipMessageEvent): boolean {
  if (pattern.direction !== event.direction) return false;
  if (pattern.method !== undefined) return event.method === pattern.method;
  if (event.status === undefined) return false;
  if (pattern.status !== undefined && event.status !== pattern.status) return false;
  if (pattern.statusClass !== undefined && Math.floor(event.status / 100) !== pattern.statusClass) return false;
  if (pattern.cseqMethod !== undefined && cseqMethod(event) !== pattern.cseqMethod) return false;
  return true;
}

function isProvisional(event: SipMessageEvent): boolean {
  return event.status !== undefined && event.status < 200;
}

function isProvisionalPattern(pattern: FlowPattern): boolean {
  return pattern.status !== undefined ? pattern.status < 200 : pattern.statusClass === 1;
}

/**
 * Compares one leg's observed messages (retransmissions already removed) with its expected
 * flow and returns the first difference in plain words, or undefined when they agree.
 *
 * Leniencies, each for a reason seen on real networks:
 * - optional patterns (`100>?`) may be absent;
 * - provisional responses nobody asked for are ignored (a proxy may add 100 Trying, a UA 183);
 * - an expected provisional may arrive out of order, e.g. a 180 after the 200 when a proxy
 *   with several workers forwards them in parallel: it only has to be present somewhere;
 * - a message the party receives may arrive later than expected, after messages of other
 *   transactions: the 200 to a CANCEL after the INVITE's 487, or an ACK after an INFO the caller
 *   sent right after it (and after the answer to that INFO). A proxy with several workers
 *   relays two transactions in parallel, and nothing orders them. What the party sends, and
 *   messages of one transaction, keep their order.
 */
export function compareFlow(leg: string, expected: readonly FlowPattern[], observed: readonly SipMessageEvent[]): string | undefined {
  const patterns = expected.map((p) =>
    !p.optional && isProvisionalPattern(p) && observed.some((o) => matchesPattern(p, o)) ? { ...p, optional: true } : p,
  );
  /** Observed messages already matched as late arrivals, ahead of their place in the list. */
  const takenEarly = new Set<number>();
  let next = 0;
  let previous = 'the start';
  for (let i = 0; i < observed.length; i++) {
    if (takenEarly.has(i)) continue;
    const event = observed[i]!;
    let probe = next;
    while (probe < patterns.length && patterns[probe]!.optional && !matchesPattern(patterns[probe]!, event)) probe++;
    if (probe < patterns.length && matchesPattern(patterns[probe]!, event)) {
      next = probe + 1;
      previous = patterns[probe]!.text;
      continue;
    }
    if (isProvisional(event)) continue;
    const late = lateArrival(patterns[probe], observed, i, takenEarly);
    if (late !== undefined) {
      takenEarly.add(late);
      next = probe + 1;
      previous = patterns[probe]!.text;
      i--; // this message is judged again, against the pattern after the late one
      continue;
    }
    const wanted = firstRequired(patterns, next);
    return wanted
      ? `expected ${wanted.text} on the ${leg} leg after ${previous}, saw ${describeMessage(event)}`
      : `unexpected ${describeMessage(event)} on the ${leg} leg after ${previous} (the expected flow had ended)`;
  }
  const missing = firstRequired(patterns, next);
  return missing ? `expected ${missing.text} on the ${leg} leg after ${previous}, saw nothing` : undefined;
}

/**
 * The index of the message that `pattern`, a received one, expects, when it came later than
 * `from`, with only messages of other transactions (CSeq) before it that are not yet judged.
 */
function lateArrival(pattern: FlowPattern | undefined, observed: readonly SipMessageEvent[], from: number, takenEarly: ReadonlySet<number>): number | undefined {
  if (pattern?.direction !== 'in') return undefined;
  const at = observed.findIndex((event, index) => index > from && !takenEarly.has(index) && matchesPattern(pattern, event));
  if (at < 0) return undefined;
  const transaction = observed[at]!.cseq;
  for (let k = from; k < at; k++) if (!takenEarly.has(k) && observed[k]!.cseq === transaction) return undefined;
  return at;
}

function firstRequired(patterns: readonly FlowPattern[], from: number): FlowPattern | undefined {
  return patterns.slice(from).find((p) => !p.optional);
}
