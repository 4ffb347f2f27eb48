import { capLines } from '../util/capped-list.js';
import type { ProblemText } from './problem-text.js';

/**
 * One thing wrong with a configuration file, located well enough for a person to fix it:
 * `scenarios/lab/reject.yaml:12: steps[0].call.cancelAfter: invalid duration "2 sec" (hint: ...)`.
 */
export interface ConfigProblem extends ProblemText {
  file: string;
  /** 1-based line; absent when the problem is not tied to a place in the file (unreadable file). */
  line?: number;
  /** Dotted path into the document (`bots.alice.tone`, `expect.legs.caller[3]`); empty for the whole file. */
  path: string;
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  const path = problem.path === '' ? '' : ` ${problem.path}:`;
  const hint = problem.hint === undefined ? '' : ` (hint: ${problem.hint})`;
  return `${where}:${path} ${problem.message}${hint}`;
}

/**
 * A configuration or scenario file is unusable. Carries every problem found, not just the first
 * (k6's `validate()` habit): fixing files one error per run is what makes YAML tools hated.
 * The CLI maps it to `ExitCode.Usage`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[], options?: { cause?: unknown }) {
    if (problems.length === 0) {
      throw new Error('ConfigError needs at least one problem');
    }
    const sorted = [...problems].sort(compareProblems);
    super(capLines(sorted.map(formatProblem)).join('\n'), options);
    this.problems = sorted;
  }

  /** One error holding the problems of several, so loading a directory reports every file at once. */
  static merge(errors: readonly ConfigError[]): ConfigError {
    return new ConfigError(errors.flatMap((error) => error.problems), { cause: errors[0] });
  }
}

function compareProblems(a: ConfigProblem, b: ConfigProblem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0);
}
