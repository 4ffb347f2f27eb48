import type { PathProblem } from './env-substitution.js';
import { isRecord } from './is-record.js';
import { NAME_PATTERN } from './scalar-fields.js';
import { referenceProblem } from './problem-text.js';

/**
 * The rules between fields for incoming calls: each `expect.calls.<name>` has a valid name no
 * call step uses, is received by a known role (`to`), and hears a known role; each `await` step
 * names an expected call or a call step placed before it, and a known role.
 */
export function checkIncomingCalls(
  data: Record<string, unknown>,
  callStepNames: readonly string[],
  checkRole: (value: unknown, path: PropertyKey[]) => void,
): PathProblem[] {
  const problems: PathProblem[] = [];
  const expect = isRecord(data['expect']) ? data['expect'] : {};
  const calls = isRecord(expect['calls']) ? expect['calls'] : {};
  const expectedNames = Object.keys(calls);
  for (const [name, call] of Object.entries(calls)) {
    const path = ['expect', 'calls', name];
    if (!NAME_PATTERN.test(name)) problems.push({ path, ...referenceProblem.badName('expected call', name) });
    if (callStepNames.includes(name)) problems.push({ path, ...referenceProblem.callAndExpectedCall(name) });
    if (!isRecord(call)) continue;
    checkRole(call['to'], [...path, 'to']);
    const media = call['media'];
    for (const key of ['hears', 'hearsBeforeAnswer']) if (isRecord(media) && typeof media[key] === 'string') checkRole(media[key], [...path, 'media', key]);
  }
  const steps = Array.isArray(data['steps']) ? data['steps'] : [];
  const placed: string[] = [];
  steps.forEach((step: unknown, index) => {
    if (!isRecord(step)) return;
    const call = step['call'];
    if (isRecord(call)) placed.push(typeof call['name'] === 'string' ? call['name'] : callStepNames[placed.length] ?? '');
    const wait = step['await'];
    if (!isRecord(wait)) return;
    if (wait['role'] !== undefined) checkRole(wait['role'], ['steps', index, 'await', 'role']);
    const name = wait['call'];
    if (typeof name !== 'string' || expectedNames.includes(name) || placed.includes(name)) return;
    problems.push({ path: ['steps', index, 'await', 'call'], ...referenceProblem.awaitedCall(name, callStepNames.includes(name), expectedNames, placed) });
  });
  return problems;
}
