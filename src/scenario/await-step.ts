import type { Bot } from '../bot/bot.js';
import type { Call } from '../bot/call.js';
import type { AwaitStep } from '../config/scenario-types.js';
import type { Clock } from '../util/clock.js';
import type { ExpectedCalls } from './expected-calls.js';
import type { PlayedCall } from './judge-case.js';
import { hasReached } from './judge-expected-calls.js';
import { timerOn } from './step-timing.js';

export interface AwaitContext {
  expectedCalls: ExpectedCalls;
  played: ReadonlyMap<string, PlayedCall>;
  botOf: (role: string) => Bot;
  clock: Clock;
  /** When the step has no `within`. */
  defaultWithinMs: number;
}

/**
 * `- await: { call, role, state, within }`: waits until the named call reaches `state`, or fails
 * the case saying where it got to. The call is an expected incoming call (watched at its
 * receiving role) or a call step's (at its caller, or at the callee with `role`).
 */
export async function playAwaitStep(step: AwaitStep, context: AwaitContext): Promise<void> {
  const withinMs = step.withinMs ?? context.defaultWithinMs;
  const deadline = context.clock.now() + withinMs;
  const what = `await: call ${step.call} did not reach ${step.state} within ${withinMs / 1000} s`;
  const claim = context.expectedCalls.byName(step.call);
  let call: Call | undefined;
  if (claim) {
    await context.expectedCalls.arrival(claim, withinMs, timerOn(context.clock));
    call = claim.call;
    if (!call) throw new Error(`${what}: ${claim.expected.role} (${claim.bot.name}) received no matching call`);
  } else {
    const played = context.played.get(step.call);
    if (!played) throw new Error(`${what}: no call step named ${step.call} has run before this step`);
    call = step.role !== undefined && step.role !== played.step.from ? played.incoming()[0] : played.call;
    if (!call) throw new Error(`${what}: ${step.role} has no leg of it`);
  }
  const left = Math.max(0, deadline - context.clock.now());
  const reached = call.reach(step.state);
  const cancelTimer = { cancel: () => undefined as void };
  await Promise.race([reached, new Promise<void>((resolve) => (cancelTimer.cancel = timerOn(context.clock)(resolve, left)))]);
  cancelTimer.cancel();
  if (!hasReached(call, step.state)) throw new Error(`${what} (it is ${call.state}${call.finalReason ? `, ${call.finalReason}` : ''})`);
}
