import type { Scenario } from '../config/scenario-types.js';

/** Headroom for registration-free start-up, trailing ACKs and the hang-up of whatever is left. */
const CASE_SLACK_MS = 10_000;

/**
 * The longest a scenario may run in a suite, derived from its own timings: every wait, every
 * await's `within` (or the step timeout), each call step's cancel/hang-up timers plus the time
 * its `waitFor` may take, the latest expected call's `within`, and the wait for calls to end.
 * A case still running then has hung (a peer that never answers, a call nobody ends).
 */
export function caseTimeoutMs(scenario: Scenario, stepTimeoutMs: number): number {
  let total = CASE_SLACK_MS + stepTimeoutMs;
  for (const step of scenario.steps) {
    if (step.kind === 'wait') total += step.ms;
    else if (step.kind === 'await') total += step.withinMs ?? stepTimeoutMs;
    else if (step.kind === 'call') total += stepTimeoutMs + (step.cancelAfterMs ?? 0) + (step.hangupAfterMs ?? 0);
    else total += stepTimeoutMs;
  }
  const latestArrival = Math.max(0, ...(scenario.expect.calls ?? []).map((c) => c.withinMs));
  return total + latestArrival;
}
