import type { Bot } from '../bot/bot.js';
import type { Scenario } from '../config/scenario-types.js';

/**
 * Slack every single wait gets beyond the durations its case names: call set-up with a 407
 * round, UDP retransmissions after a loss (Timer E up to 4 s) and a starved machine.
 */
export const STEP_SLACK_MS = 20_000;

/** Headroom for registration-free start-up, trailing ACKs and the hang-up of whatever is left. */
const CASE_SLACK_MS = 10_000;

/** The two bounds of a case, both derived from its own timings: any single wait, and the whole case. */
export interface CaseLimits {
  stepMs: number;
  caseMs: number;
}

export function caseLimits(scenario: Scenario, bots: ReadonlyMap<string, Bot>): CaseLimits {
  const stepMs = stepLimitMs(scenario, bots);
  return { stepMs, caseMs: caseTimeoutMs(scenario, stepMs) };
}

/**
 * The upper bound of any single wait in a case: the slack plus every duration its steps,
 * behaviour overrides, proxy settings and the roles' bots ask for (a `hangupAfter: 62s` call
 * then has 82 s to end, where a fixed 20 s cut it off). The sum over-counts, never
 * under-counts: the bound is for a run that hangs, not a timing judge.
 */
export function stepLimitMs(scenario: Scenario, bots: ReadonlyMap<string, Bot>): number {
  let total = STEP_SLACK_MS + durationsIn(scenario.steps) + durationsIn(scenario.behaviour) + durationsIn(scenario.proxy);
  for (const name of new Set(Object.values(scenario.roles))) {
    const bot = bots.get(name);
    if (bot) total += durationsIn(bot.account.behaviour);
  }
  return total;
}

/**
 * The longest a scenario may run, given its step limit: every wait, every await's `within` (or
 * the step limit), each call step's cancel/hang-up timers plus the time its `waitFor` may take,
 * the latest expected call's `within`, and the wait for calls to end. A case still running then
 * has hung (a peer that never answers, a call nobody ends).
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

/** The sum of every `ms` / `…Ms` number in a plain value (steps, behaviour, proxy settings). */
function durationsIn(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + durationsIn(item), 0);
  if (value === null || typeof value !== 'object') return 0;
  let sum = 0;
  for (const [key, field] of Object.entries(value)) {
    if ((key === 'ms' || key.endsWith('Ms')) && typeof field === 'number' && Number.isFinite(field)) sum += field;
    else if (typeof field === 'object') sum += durationsIn(field);
  }
  return sum;
}
