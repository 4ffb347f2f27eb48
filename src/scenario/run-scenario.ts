import type { Bot } from '../bot/bot.js';
import type { Call } from '../bot/call.js';
import type { CallStep, DtmfStep, HoldStep, Scenario } from '../config/scenario-types.js';
import type { EventStream } from '../events/event-stream.js';
import type { SipbotsEvent } from '../events/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { playAwaitStep } from './await-step.js';
import { playOfferStep } from './offer-step.js';
import { playRequestStep } from './request-steps.js';
import { ExpectedCalls } from './expected-calls.js';
import { judgeCase, type PlayedCall } from './judge-case.js';
import { stepLimitMs } from './case-timeout.js';
import { abortError, sleep, timerOn, untilAborted, withTimeout } from './step-timing.js';
import type { CaseResult } from './result-types.js';

export interface ScenarioContext {
  /** Bots by name, started and registered. */
  bots: ReadonlyMap<string, Bot>;
  events: EventStream;
  clock?: Clock;
  /** Applies the scenario's embedded-proxy settings; absent against an external server. */
  configureProxy?: (settings: Scenario['proxy']) => void;
  /**
   * Upper bound for any single wait (a call that never ends must not hang the run); by default
   * derived from the scenario's own timings (case-timeout.ts).
   */
  stepTimeoutMs?: number;
  /** Time left after the last step for trailing ACKs and retransmissions to be recorded. */
  settleMs?: number;
  /** False when bots send no media (`--media none`): media expectations are then not checked. */
  media?: boolean;
  /** Aborts the case early (interruption). */
  signal?: AbortSignal;
  /** The case fails if it has not finished by then (a suite's limit, see case-timeout.ts). */
  timeoutMs?: number;
  /** Tag every event with this case's id while it runs; false when cases run in parallel. */
  tagEvents?: boolean;
}

/**
 * Runs one scenario: applies its behaviour overrides, plays its steps in order, waits for every
 * call it made to end, then judges each leg's observed flow against the expected one.
 */
export async function runScenario(scenario: Scenario, context: ScenarioContext): Promise<CaseResult> {
  const clock = context.clock ?? systemClock;
  const startedAt = clock.now();
  const recorded: SipbotsEvent[] = [];
  const unsubscribe = context.events.subscribe((event) => {
    if (event.type === 'sip' || event.type === 'media-stats' || event.type === 'finding') recorded.push(event);
  });
  const tagEvents = context.tagEvents ?? true;
  if (tagEvents) context.events.caseId = scenario.id;
  context.events.emit({ type: 'case-start', at: startedAt, party: 'sipbots', caseId: scenario.id });
  const botOf = (role: string) => requireBot(context.bots, scenario.roles[role]!, role);
  const played = new Map<string, PlayedCall>();
  const stepTimeoutMs = context.stepTimeoutMs ?? stepLimitMs(scenario, context.bots);
  let error: string | undefined;
  let expectedCalls: ExpectedCalls | undefined;
  let stopListening = () => {};
  const limit = caseSignal(context, clock);
  const signal = limit.signal;
  try {
    expectedCalls = new ExpectedCalls(scenario.expect.calls ?? [], scenario.roles, botOf, startedAt, () => clock.now());
    stopListening = expectedCalls.listen();
    for (const [role, override] of Object.entries(scenario.behaviour)) botOf(role).behaviourOverride = override;
    context.configureProxy?.(scenario.proxy);
    const calls = expectedCalls;
    const play = async () => {
      for (const step of scenario.steps) {
        if (signal.aborted) throw abortError(signal);
        if (step.kind === 'wait') await sleep(clock, step.ms, signal);
        else if (step.kind === 'hangup') await hangupRole(botOf(step.role));
        else if (step.kind === 'dtmf' || step.kind === 'hold') await playMediaStep(step, botOf(step.role), stepTimeoutMs, clock);
        else if (step.kind === 'await') await playAwaitStep(step, { expectedCalls: calls, played, botOf, clock, defaultWithinMs: stepTimeoutMs });
        else if (step.kind === 'offer') await playOfferStep(step, { botOf, clock, timeoutMs: stepTimeoutMs });
        else if (step.kind !== 'call') await playRequestStep(step, { botOf, recorded, clock, timeoutMs: stepTimeoutMs, callNamed: (name) => played.get(name)?.call });
        else played.set(step.name, await playCall(step, scenario, botOf, stepTimeoutMs, clock));
      }
      await waitForExpectedArrivals(calls, startedAt, clock);
      await waitForEnd([...played.values()], calls, stepTimeoutMs, clock);
      await sleep(clock, context.settleMs ?? 600, signal);
    };
    await untilAborted(play(), signal);
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  } finally {
    limit.dispose();
    for (const role of Object.keys(scenario.behaviour)) botOf(role).behaviourOverride = undefined;
    stopListening();
    unsubscribe();
  }
  // Only this case's bots: in a parallel suite the others are busy with their own cases.
  for (const bot of new Set(Object.values(scenario.roles).map((name) => context.bots.get(name)))) await bot?.hangupAll().catch(() => undefined);
  // A case that unregistered a bot leaves it registered again for the next one.
  for (const step of scenario.steps) if (step.kind === 'register') await context.bots.get(scenario.roles[step.role] ?? '')?.ensureRegistered(stepTimeoutMs);
  const result = judgeCase(scenario, played, recorded, { startedAt, endedAt: clock.now(), error, checkMedia: context.media ?? true, expectedCalls: expectedCalls?.claims ?? [],
    toneOfRole: (role) => context.bots.get(scenario.roles[role] ?? '')?.account.tone,
  });
  context.events.emit({ type: 'case-end', at: clock.now(), party: 'sipbots', caseId: scenario.id, passed: result.passed, difference: result.difference });
  if (tagEvents) context.events.caseId = undefined;
  return result;
}

/** The run's interruption and the case's own time limit, as one signal. */
function caseSignal(context: ScenarioContext, clock: Clock): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(new Error('interrupted'));
  if (context.signal?.aborted) onAbort();
  context.signal?.addEventListener('abort', onAbort, { once: true });
  const limitMs = context.timeoutMs;
  const timer = limitMs === undefined ? undefined : clock.setTimeout(() => controller.abort(new Error(`the case did not finish within ${limitMs / 1000} s (its limit, derived from its steps' timings)`)), limitMs);
  return {
    signal: controller.signal,
    dispose: () => {
      if (timer !== undefined) clock.clearTimeout(timer);
      context.signal?.removeEventListener('abort', onAbort);
    },
  };
}

async function playCall(
  step: CallStep,
  scenario: Scenario,
  botOf: (role: string) => Bot,
  stepTimeoutMs: number,
  clock: Clock,
): Promise<PlayedCall> {
  const caller = botOf(step.from);
  const callee = step.to.kind === 'role' ? botOf(step.to.role) : undefined;
  const target = step.to.kind === 'uri' ? step.to.uri : `sip:${callee!.account.user}@${callee!.account.domain}`;
  const calleeCallsBefore = new Set(callee ? callee.calls.values() : []);
  const call = caller.call(target, { cancelAfter: step.cancelAfterMs, hangupAfter: step.hangupAfterMs, headers: step.headers, rel100: step.rel100, toDisplayName: step.toDisplayName });
  await withTimeout(call.reach(step.waitFor), stepTimeoutMs, clock, `call ${step.name} did not reach ${step.waitFor}`);
  const incoming = () => (callee ? [...callee.calls.values()].filter((c) => c.role === 'callee' && !calleeCallsBefore.has(c)) : []);
  return { step, caller, callee, call, incoming, scenario };
}

/** DTMF or hold/unhold on every connected call of the role's bot; fails if it has none. */
async function playMediaStep(step: DtmfStep | HoldStep, bot: Bot, timeoutMs: number, clock: Clock): Promise<void> {
  const action = step.kind === 'dtmf' ? `dtmf ${step.digits}` : step.hold ? 'hold' : 'unhold';
  const connected = [...bot.calls.values()].filter((c) => c.state === 'confirmed');
  if (connected.length === 0) throw new Error(`${action}: ${step.role} (${bot.name}) has no connected call`);
  const work = connected.map((c) => (step.kind === 'dtmf' ? c.sendDtmf(step.digits) : c.setHold(step.hold)));
  await withTimeout(Promise.all(work), timeoutMs, clock, `${action} by ${step.role} (${bot.name}) did not complete`);
}

/** Gives each expected call that has not arrived yet until its `within` (from the case start) to arrive. */
async function waitForExpectedArrivals(expectedCalls: ExpectedCalls, startedAt: number, clock: Clock): Promise<void> {
  const waiting = expectedCalls.claims.filter((c) => !c.call);
  await Promise.all(waiting.map((c) => expectedCalls.arrival(c, Math.max(0, startedAt + c.expected.withinMs - clock.now()), timerOn(clock))));
}

async function waitForEnd(played: PlayedCall[], expectedCalls: ExpectedCalls, timeoutMs: number, clock: Clock): Promise<void> {
  const received = expectedCalls.claims.flatMap((c) => (c.call ? [c.call] : []));
  const calls: Call[] = [...played.flatMap((p) => [p.call, ...p.incoming()]), ...received];
  await withTimeout(Promise.all(calls.map((c) => c.reach('terminated'))), timeoutMs, clock, 'calls still active at the end of the case');
}

async function hangupRole(bot: Bot): Promise<void> {
  await bot.hangupAll();
}

function requireBot(bots: ReadonlyMap<string, Bot>, name: string, role: string): Bot {
  const bot = bots.get(name);
  if (!bot) throw new Error(`role ${role} names bot ${name}, which is not in the bots file`);
  return bot;
}
