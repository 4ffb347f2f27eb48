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
 * - two messages in a row that the party receives, of different transactions, may arrive
 *   swapped: the 200 to a CANCEL and the INVITE's 487, or the ACK and an INFO sent right after
 *   it, leave such a proxy from two workers, and nothing orders them.
 */
export function compareFlow(leg: string, expected: readonly FlowPattern[], observed: readonly SipMessageEvent[]): string | undefined {
  const patterns = expected.map((p) =>
    !p.optional && isProvisionalPattern(p) && observed.some((o) => matchesPattern(p, o)) ? { ...p, optional: true } : p,
  );
  let next = 0;
  let previous = 'the start';
  for (let i = 0; i < observed.length; i++) {
    const event = observed[i]!;
    let probe = next;
    while (probe < patterns.length && patterns[probe]!.optional && !matchesPattern(patterns[probe]!, event)) probe++;
    if (probe < patterns.length && matchesPattern(patterns[probe]!, event)) {
      next = probe + 1;
      previous = patterns[probe]!.text;
      continue;
    }
    if (isProvisional(event)) continue;
    if (swappedReceived(patterns, probe, event, observed[i + 1])) {
      next = probe + 2;
      previous = patterns[probe]!.text;
      i++;
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
 * Whether `event` and the message after it are the expected received messages `patterns[at]`
 * and `patterns[at + 1]` in the other order, of two different transactions (CSeq methods).
 */
function swappedReceived(patterns: readonly FlowPattern[], at: number, event: SipMessageEvent, after: SipMessageEvent | undefined): boolean {
  const [first, second] = [patterns[at], patterns[at + 1]];
  if (!first || !second || !after) return false;
  if (first.direction !== 'in' || second.direction !== 'in') return false;
  return matchesPattern(second, event) && matchesPattern(first, after) && cseqMethod(event) !== cseqMethod(after);
}

function firstRequired(patterns: readonly FlowPattern[], from: number): FlowPattern | undefined {
  return patterns.slice(from).find((p) => !p.optional);
}
