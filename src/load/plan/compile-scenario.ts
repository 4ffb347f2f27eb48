import { DEFAULT_BEHAVIOUR, resolveBehaviour, type CalleeBehaviour } from '../../config/behaviour.js';
import type { CallStep, ExpectedOutcome, Scenario } from '../../config/scenario-types.js';
import type { CallScript, CalleeScript, CallerScript } from '../engine/call-script.js';

export interface CompileScenarioOptions {
  /** `--callee-uri`: the calls go to an outside UAS, so the file's callee behaviour is not ours to play. */
  calleeUri?: string;
}

/** A scenario file the lean load path cannot play, with every reason at once. */
export class ScenarioCompileError extends Error {
  constructor(
    readonly file: string,
    readonly reasons: string[],
  ) {
    super(`${file}: cannot be played under load: ${reasons.join('; ')}`);
    this.name = 'ScenarioCompileError';
  }
}

/** Reason phrases of the final statuses a scripted callee sends (RFC 3261 §21). */
const REASONS: Readonly<Record<number, string>> = {
  404: 'Not Found',
  408: 'Request Timeout',
  480: 'Temporarily Unavailable',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  600: 'Busy Everywhere',
  603: 'Decline',
};

export function statusLine(status: number): string {
  return `${status} ${REASONS[status] ?? (status < 500 ? 'Rejected' : status < 600 ? 'Server Error' : 'Declined')}`;
}

/**
 * Compiles a lab scenario with one call step into what every load arrival plays: the callee
 * role's behaviour (the file's override over the defaults; no bots file under load), the
 * caller's cancelAfter / hangupAfter, and the final status the call must end with. Anything
 * the lean path would have to fake is refused: several calls (a callee busy in another call),
 * other steps, expected incoming calls (expect.calls), a fixed target URI while the callees are
 * ours, calling oneself, proxy settings.
 * Legs and media expectations are not compared under load (no per-call flow record, no RTP).
 */
export function compileScenario(scenario: Scenario, options: CompileScenarioOptions = {}): CallScript {
  const reasons: string[] = [];
  const calls = scenario.steps.filter((step): step is CallStep => step.kind === 'call');
  if (calls.length !== 1) {
    const names = calls.map((call) => call.name).join(', ');
    reasons.push(`it has ${calls.length} call steps${names ? ` (${names})` : ''}; load plays exactly one call per arrival, so nothing can stage a second call (e.g. a callee busy in another call)`);
  }
  scenario.steps.forEach((step, index) => {
    if (step.kind !== 'call') reasons.push(`steps[${index}] is a ${step.kind} step; load plays only the call step (use its cancelAfter / hangupAfter)`);
  });
  const expectedCalls = scenario.expect.calls ?? [];
  if (expectedCalls.length > 0) {
    const names = expectedCalls.map((c) => c.name).join(', ');
    reasons.push(`it expects incoming calls (expect.calls: ${names}); load judges each arrival by its caller's final status only, nothing matches calls from outside to expectations — play it with sipbots run`);
  }
  if (scenario.proxy.inviteTimeoutMs !== undefined) {
    reasons.push('it sets proxy.inviteTimeout; proxy settings are for the lab\'s embedded proxy, the proxy under load keeps its own timers');
  }
  if (scenario.proxy.cancelledInviteStatus !== undefined) {
    reasons.push('it sets proxy.cancelledInviteStatus; proxy settings are for the lab\'s embedded proxy, the proxy under load keeps its own behaviour');
  }
  const call = calls[0];
  let behaviour: CalleeBehaviour = { ...DEFAULT_BEHAVIOUR };
  if (call?.to.kind === 'uri' && options.calleeUri === undefined) {
    reasons.push(`its call goes to the fixed URI ${call.to.uri} while the load's callees are its own registered accounts; call the callee role, or give --callee-uri to load an outside UAS`);
  }
  if (call?.to.kind === 'role') {
    const calleeBot = scenario.roles[call.to.role];
    if (calleeBot !== undefined && calleeBot === scenario.roles[call.from]) {
      reasons.push(`its callee role ${call.to.role} is the caller's own bot (${calleeBot}); the busy answer of calling oneself depends on the caller's own call, which load does not model`);
    }
    behaviour = resolveBehaviour(DEFAULT_BEHAVIOUR, scenario.behaviour[call.to.role]);
    if (behaviour.earlyMediaMs !== undefined) reasons.push(`its callee role ${call.to.role} plays early media (earlyMedia); the load callee sends 180 without SDP — play it with sipbots run`);
    if (behaviour.rel100 !== undefined) reasons.push(`its callee role ${call.to.role} sends reliable provisionals (rel100); the load callee has no PRACK — play it with sipbots run`);
  }
  if (call?.rel100 !== undefined) reasons.push(`its call step offers 100rel (rel100); the load caller has no PRACK — play it with sipbots run`);
  const expectStatus = expectedStatus(scenario, call, behaviour, reasons);
  if (reasons.length > 0 || call === undefined) throw new ScenarioCompileError(scenario.file, reasons);
  const ours = options.calleeUri === undefined;
  const callee = calleeScript(behaviour);
  const caller: CallerScript = {
    expectStatus,
    ...(call.cancelAfterMs !== undefined && { cancelAfterMs: call.cancelAfterMs }),
    ...(call.hangupAfterMs !== undefined && { hangupAfterMs: call.hangupAfterMs }),
    ...(ours && call.hangupAfterMs === undefined && callee.hangupAfterMs !== undefined && { awaitByeMs: callee.hangupAfterMs }),
  };
  const ringing = Math.max(call.cancelAfterMs ?? 0, ours ? callee.ringForMs : 0);
  const talk = Math.max(call.hangupAfterMs ?? 0, ours ? (callee.hangupAfterMs ?? 0) : 0);
  return { file: scenario.file, id: scenario.id, caller, callee, spanMs: ringing + talk };
}

function calleeScript(behaviour: CalleeBehaviour): CalleeScript {
  const hangup = behaviour.hangupAfterMs === undefined ? {} : { hangupAfterMs: behaviour.hangupAfterMs };
  switch (behaviour.onInvite) {
    case 'answer':
      return { action: 'answer', ringForMs: behaviour.ringForMs, finalStatus: '200 OK', ...hangup };
    case 'ring':
      return { action: 'ring', ringForMs: 0, finalStatus: '' };
    case 'reject':
      return { action: 'reject', ringForMs: behaviour.ringForMs, finalStatus: statusLine(behaviour.rejectWith) };
    case 'timeout':
      // A phone's own no-answer timer: ring, then 408 (what `sipbots lab` bots do).
      return { action: 'reject', ringForMs: behaviour.ringForMs, finalStatus: statusLine(408) };
  }
}

/**
 * `expect.status` when given, else the status its `outcome` means, else what the callee's
 * behaviour and the caller's cancel lead to. 200 stands for any 2xx.
 */
function expectedStatus(scenario: Scenario, call: CallStep | undefined, behaviour: CalleeBehaviour, reasons: string[]): number {
  const { outcome, status } = scenario.expect;
  if (outcome !== undefined && status !== undefined && (outcome === 'answered') !== status < 300) {
    reasons.push(`expect.outcome ${outcome} contradicts expect.status ${status}`);
  }
  if (status !== undefined) return status;
  if (outcome !== undefined) return statusOf(outcome, behaviour);
  const cancelled = call?.cancelAfterMs !== undefined && (behaviour.onInvite === 'ring' || behaviour.ringForMs >= call.cancelAfterMs);
  if (cancelled) return 487;
  switch (behaviour.onInvite) {
    case 'answer':
      return 200;
    case 'reject':
      return behaviour.rejectWith;
    default:
      // `timeout` answers 408 itself; a phone that rings forever is ended by a proxy's 408.
      return 408;
  }
}

function statusOf(outcome: ExpectedOutcome, behaviour: CalleeBehaviour): number {
  switch (outcome) {
    case 'answered':
      return 200;
    case 'rejected':
      return behaviour.onInvite === 'reject' ? behaviour.rejectWith : 486;
    case 'cancelled':
      return 487;
    case 'timeout':
      return 408;
  }
}
