import { join } from 'node:path';
import { embeddedProxyOnlyReasonOfFile } from './embedded-proxy-only.js';
import type { FieldMeaning } from '../config/problem-text.js';

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

/** A case the lab leaves out, and why. */
export interface ExcludedCase {
  id: string;
  reason: string;
}

export interface LabCaseSelection {
  files: string[];
  /** Cases of the default list not run against an external server. */
  excluded: ExcludedCase[];
}

/**
 * The case files for `--only` (all cases when empty), in lab order. Against an external server
 * the default list leaves out the cases whose file asks for what only the embedded proxy does
 * (embedded-proxy-only.ts); naming one in `--only` is an error.
 */
export function labCaseFiles(scenarioDir: string, only: readonly string[] | undefined, options: { externalServer?: boolean } = {}): LabCaseSelection {
  const unknown = (only ?? []).filter((id) => !isLabCaseId(id));
  if (unknown.length > 0) throw new UnknownCaseError(unknown);
  const named = only !== undefined && only.length > 0;
  const ids: readonly LabCaseId[] = named ? LAB_CASE_IDS.filter((id) => only.includes(id)) : LAB_CASE_IDS;
  const excluded: ExcludedCase[] = [];
  const kept = ids.filter((id) => {
    const reason = options.externalServer ? embeddedProxyOnlyReasonOfFile(join(scenarioDir, `${id}.yaml`)) : undefined;
    if (reason === undefined) return true;
    if (named) throw new EmbeddedProxyCaseError(id, reason);
    excluded.push({ id, reason: reason.en });
    return false;
  });
  return { files: kept.map((id) => join(scenarioDir, `${id}.yaml`)), excluded };
}

export class EmbeddedProxyCaseError extends Error {
  override readonly name = 'EmbeddedProxyCaseError';
  constructor(
    readonly id: string,
    readonly reason: FieldMeaning,
  ) {
    super(`lab case ${id} cannot run against --server: ${reason.en} (hint: run it without --server)`);
  }
}
