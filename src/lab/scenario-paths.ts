import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { fileProblem } from '../config/problem-text.js';

const SCENARIO_FILE = /\.ya?ml$/;

/**
 * `sipbots run DIR|FILES...`: each directory becomes its scenario files (`*.yaml`, `*.yml`,
 * sub-directories included), sorted by path so a suite always runs in the same order; files
 * stay where they were given. A directory without any is a configuration error, not an empty pass.
 */
export async function expandScenarioPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory()) {
      files.push(path);
      continue;
    }
    const found = await scenarioFilesUnder(path);
    if (found.length === 0) throw new ConfigError([{ file: path, path: '', ...fileProblem.noScenarioFiles() }]);
    files.push(...found);
  }
  return files;
}

async function scenarioFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && SCENARIO_FILE.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
