import { join } from 'node:path';

/**
 * The lab case ids, in the order they run. Part of the contract: tests, scripts and
 * `--only` use these names, and each has `scenarios/lab/<id>.yaml`.
 */
export const LAB_CASE_IDS = [
  'no-answer',
  'no-answer-callee-408',
  'no-answer-proxy-408',
  'no-answer-as-captured',
  'reject',
  'cancel',
  'answer-bye-caller',
  'answer-bye-callee',
  'busy-self',
  'busy-in-call',
] as const;

export type LabCaseId = (typeof LAB_CASE_IDS)[number];

export function isLabCaseId(id: string): id is LabCaseId {
  return (LAB_CASE_IDS as readonly string[]).includes(id);
}

export class UnknownCaseError extends Error {
  constructor(readonly ids: readonly string[]) {
    super(`unknown lab case ${ids.join(', ')} (hint: choose from ${LAB_CASE_IDS.join(', ')})`);
    this.name = 'UnknownCaseError';
  }
}

/** The case files for `--only` (all cases when empty), in lab order. */
export function labCaseFiles(scenarioDir: string, only: readonly string[] | undefined): string[] {
  const unknown = (only ?? []).filter((id) => !isLabCaseId(id));
  if (unknown.length > 0) throw new UnknownCaseError(unknown);
  const ids: readonly string[] = only && only.length > 0 ? LAB_CASE_IDS.filter((id) => only.includes(id)) : LAB_CASE_IDS;
  return ids.map((id) => join(scenarioDir, `${id}.yaml`));
}
