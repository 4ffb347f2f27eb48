import type { PathProblem } from './env-substitution.js';
import { checkIncomingCalls } from './incoming-call-checks.js';
import { isRecord } from './is-record.js';
import { NAME_PATTERN } from './scalar-fields.js';
import { defaultCallName, HEADER_STEP_KINDS, isSipUri, STEP_KINDS } from './scenario-schema.js';
import { referenceProblem } from './problem-text.js';

export interface ScenarioCheckOptions {
  /** Bot names from the bots file, to check `roles` against; skipped when absent. */
  botNames?: readonly string[];
  /** Shown in the hint for an unknown bot (`bots/lab.yaml`). */
  botsFile?: string;
}

/**
 * The rules between fields: every role named in steps, behaviour and expect exists; each step
 * is exactly one kind (STEP_KINDS), with headers only beside one that sends a request; call names are unique and `expect.call` names one.
 * Runs on the raw data, defensively, so these problems are reported even when the schema
 * found others in the same file.
 */
export function checkScenario(data: unknown, options: ScenarioCheckOptions = {}): PathProblem[] {
  if (!isRecord(data)) return [];
  const problems: PathProblem[] = [];
  const roles = isRecord(data['roles']) ? data['roles'] : undefined;
  const roleNames = roles === undefined ? [] : Object.keys(roles);
  const checkRole = (value: unknown, path: PropertyKey[]): void => {
    if (roles !== undefined && typeof value === 'string' && !roleNames.includes(value)) {
      problems.push({ path, ...referenceProblem.unknownRole(value, roleNames) });
    }
  };

  if (roles !== undefined) {
    for (const [role, bot] of Object.entries(roles)) {
      if (!NAME_PATTERN.test(role)) problems.push({ path: ['roles', role], ...referenceProblem.badName('role', role) });
      if (options.botNames !== undefined && typeof bot === 'string' && !options.botNames.includes(bot)) {
        problems.push({ path: ['roles', role], ...referenceProblem.unknownBot(bot, options.botsFile, options.botNames) });
      }
    }
  }

  const callNames = checkSteps(data['steps'], checkRole, problems);
  problems.push(...checkIncomingCalls(data, callNames ?? [], checkRole));

  if (isRecord(data['behaviour'])) {
    for (const role of Object.keys(data['behaviour'])) checkRole(role, ['behaviour', role]);
  }
  const expect = data['expect'];
  if (isRecord(expect)) {
    if (isRecord(expect['legs'])) {
      for (const role of Object.keys(expect['legs'])) checkRole(role, ['expect', 'legs', role]);
    }
    if (isRecord(expect['media'])) {
      for (const [role, media] of Object.entries(expect['media'])) {
        checkRole(role, ['expect', 'media', role]);
        for (const key of ['hears', 'hearsBeforeAnswer']) if (isRecord(media) && typeof media[key] === 'string') checkRole(media[key], ['expect', 'media', role, key]);
      }
    }
    if (isRecord(expect['headers'])) {
      for (const role of Object.keys(expect['headers'])) checkRole(role, ['expect', 'headers', role]);
    }
    const call = expect['call'];
    if (typeof call === 'string' && callNames !== undefined && !callNames.includes(call)) {
      problems.push({ path: ['expect', 'call'], ...referenceProblem.noCallStep(call, callNames) });
    }
  }
  return problems;
}

/** Checks the steps and returns the call names they define, or undefined if steps is not a list. */
function checkSteps(
  steps: unknown,
  checkRole: (value: unknown, path: PropertyKey[]) => void,
  problems: PathProblem[],
): string[] | undefined {
  if (!Array.isArray(steps)) return undefined;
  if (steps.length === 0) {
    problems.push({ path: ['steps'], ...referenceProblem.noSteps() });
  }
  const callNames: string[] = [];
  steps.forEach((step: unknown, index) => {
    if (!isRecord(step)) return;
    const kinds = STEP_KINDS.filter((kind) => step[kind] !== undefined);
    if (kinds.length !== 1) {
      problems.push({ path: ['steps', index], ...(kinds.length === 0 ? referenceProblem.noAction(STEP_KINDS) : referenceProblem.manyActions(kinds)) });
    }
    if (step['waitFor'] !== undefined && step['call'] === undefined) {
      problems.push({ path: ['steps', index, 'waitFor'], ...referenceProblem.waitForNotCall() });
    }
    if (step['headers'] !== undefined && kinds.length === 1 && !(HEADER_STEP_KINDS as readonly string[]).includes(kinds[0]!)) {
      problems.push({ path: ['steps', index, 'headers'], ...referenceProblem.headersNotHere(kinds[0]!, HEADER_STEP_KINDS) });
    }
    for (const kind of ['message', 'options', 'transfer', 'subscribe'] as const) {
      const request = step[kind];
      if (!isRecord(request)) continue;
      checkRole(request['from'], ['steps', index, kind, 'from']);
      if (typeof request['to'] === 'string' && !isSipUri(request['to'])) checkRole(request['to'], ['steps', index, kind, 'to']);
    }
    const transfer = step['transfer'];
    if (isRecord(transfer)) checkTransferTargets(transfer, callNames, ['steps', index, 'transfer'], problems);
    for (const kind of ['info', 'register', 'unregister', 'reinvite', 'update'] as const) {
      const request = step[kind];
      const field = kind === 'register' || kind === 'unregister' ? 'role' : 'from';
      if (isRecord(request)) checkRole(request[field], ['steps', index, kind, field]);
    }
    for (const kind of ['hangup', 'hold', 'unhold'] as const) {
      if (step[kind] !== undefined) checkRole(step[kind], ['steps', index, kind]);
    }
    const dtmf = step['dtmf'];
    if (isRecord(dtmf)) checkRole(dtmf['from'], ['steps', index, 'dtmf', 'from']);
    const call = step['call'];
    if (!isRecord(call)) return;
    checkRole(call['from'], ['steps', index, 'call', 'from']);
    if (typeof call['to'] === 'string' && !isSipUri(call['to'])) checkRole(call['to'], ['steps', index, 'call', 'to']);
    const name = typeof call['name'] === 'string' ? call['name'] : defaultCallName(callNames.length + 1);
    if (callNames.includes(name)) {
      problems.push({ path: ['steps', index, 'call', 'name'], ...referenceProblem.duplicateCallName(name) });
    }
    callNames.push(name);
  });
  return callNames;
}

/** A transfer names exactly one of `to` (blind) and `attended`; `attended` and `call` name earlier call steps. */
function checkTransferTargets(transfer: Record<string, unknown>, callNames: readonly string[], path: PropertyKey[], problems: PathProblem[]): void {
  if ((transfer['to'] === undefined) === (transfer['attended'] === undefined)) {
    problems.push({ path, ...referenceProblem.transferTarget() });
  }
  for (const field of ['attended', 'call'] as const) {
    const name = transfer[field];
    if (typeof name === 'string' && !callNames.includes(name)) {
      problems.push({ path: [...path, field], ...referenceProblem.noEarlierCall(name, callNames) });
    }
  }
}
