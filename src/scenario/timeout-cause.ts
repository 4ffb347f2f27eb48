import type { SipMessageEvent } from '../events/types.js';
import { flowToken, legMessages } from './observed-flow.js';

/** What timeoutCause reads of a played call (judge-case.ts's PlayedCall has it). */
export interface TimedOutCall {
  call: { finalStatus: number | undefined };
  callee: { name: string } | undefined;
  incoming: () => ReadonlyArray<{ callId: string }>;
}

/**
 * Who sent the 408 Request Timeout the caller got, for a failure it caused: the callee's own
 * no-answer timer (the callee sent the 408), or the proxy's INVITE timer (RFC 3261 §16.8 timer
 * C, Kamailio's fr_inv_timer), which answers 408 upstream and CANCELs the callee. Undefined when
 * the caller did not end with 408.
 */
export function timeoutCause(main: TimedOutCall, messages: readonly SipMessageEvent[]): string | undefined {
  if (main.call.finalStatus !== 408) return undefined;
  const callee = main.callee;
  const incoming = main.incoming()[0];
  if (!callee || !incoming) {
    return 'the caller got 408 Request Timeout from the server (the callee is not one of the bots: whether a proxy timer or the callee gave up is not known here)';
  }
  const sent408 = legMessages(messages, callee.name, incoming.callId, 'callee').some((e) => flowToken(e) === '408>');
  return sent408
    ? `the caller got 408 Request Timeout from the callee ${callee.name} (its own no-answer timer), relayed by the proxy`
    : `the caller got 408 Request Timeout from the proxy, not from ${callee.name}: the proxy's INVITE timer (fr_inv_timer) ran out before ${callee.name} answered`;
}
