import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../src/config/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'sipbots-config-'));
let count = 0;

/** Writes YAML to a fresh temporary file and returns its path, for small inline cases. */
export function writeYaml(text: string): string {
  count += 1;
  const file = join(dir, `case-${count}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** The ConfigError a load must fail with; fails the test if it resolves or throws anything else. */
export async function configErrorOf(load: Promise<unknown>): Promise<ConfigError> {
  const error = await load.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

/** `line path: message` per problem: compact enough to compare a whole file's report at once. */
export function summary(problems: readonly ConfigProblem[]): string[] {
  return problems.map((problem) => `${problem.line} ${problem.path}: ${problem.message}`);
}
