import { existsSync } from 'node:fs';
import { ConfigError } from './config-error.js';
import { fileProblem, referenceProblem, type ProblemText } from './problem-text.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** A problem found while resolving references, at a path into the parsed document. */
export interface PathProblem extends ProblemText {
  path: readonly PropertyKey[];
}

// `${NAME}`, `${NAME:-default}`; `$${` is a literal `${` (docker compose's escape).
const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const REFERENCE_BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed document (values only,
 * never keys). Like the shell's `:-`, an empty variable counts as unset. Runs after YAML parsing,
 * so a substituted value can never change the document's structure.
 */
export function substituteEnv(value: unknown, env: Env): { value: unknown; problems: PathProblem[] } {
  const problems: PathProblem[] = [];
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === 'string') return substituteString(node, env, path, problems);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return node;
  };
  return { value: walk(value, []), problems };
}

function substituteString(text: string, env: Env, path: PropertyKey[], problems: PathProblem[]): string {
  return text.replace(REFERENCE, (whole: string, body: string | undefined) => {
    if (body === undefined) return '${';
    const match = REFERENCE_BODY.exec(body);
    if (match === null) {
      problems.push({ path, ...referenceProblem.malformedEnv(whole) });
      return whole;
    }
    const name = match[1]!;
    const fallback = match[2];
    const set = env[name];
    if (set !== undefined && set !== '') return set;
    if (fallback !== undefined) return fallback;
    problems.push({ path, ...referenceProblem.envNotSet(name) });
    return whole;
  });
}

/**
 * Loads `.env` into `process.env` when the file exists. Variables already set in the
 * environment win, so a CI secret is never replaced by a developer's file.
 * Returns whether a file was loaded.
 */
export function loadDotEnv(path = '.env'): boolean {
  if (!existsSync(path)) return false;
  // Restored afterwards so the "environment wins" rule holds whatever loadEnvFile does on this Node.
  const before = { ...process.env };
  try {
    process.loadEnvFile(path);
    Object.assign(process.env, before);
  } catch (error) {
    throw new ConfigError([{ file: path, path: '', ...fileProblem.dotEnv((error as Error).message, (error as NodeJS.ErrnoException).code) }], { cause: error });
  }
  return true;
}
