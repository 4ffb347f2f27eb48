import { InputFileError, readInputFile } from '../util/input-file.js';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { substituteEnv, type Env, type PathProblem } from './env-substitution.js';
import { formatPath } from './path.js';
import { fileProblem, readReason, schemaProblem } from './problem-text.js';
import { syntaxProblems } from './yaml-syntax.js';
import { issueText } from './zod-problem.js';

export interface LoadYamlOptions {
  /** Where `${VAR}` references are resolved; defaults to `process.env`. */
  env?: Env;
  /**
   * Cross-reference checks (roles named in steps exist, ...) run on the resolved data even when
   * the schema failed, so a typo in one field never hides a wrong name in another.
   */
  check?: (data: unknown) => PathProblem[];
}

/**
 * Reads, parses, resolves `${VAR}` and validates one YAML file. Throws a ConfigError listing
 * every problem with its line: syntax errors alone when the YAML does not parse (a broken
 * document only produces misleading schema errors), otherwise environment, schema and check
 * problems together.
 */
export async function loadYamlFile<S extends z.ZodType>(
  file: string,
  schema: S,
  options: LoadYamlOptions = {},
): Promise<z.output<S>> {
  const text = await readText(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(syntaxProblems(file, doc.errors));
  }

  const substituted = substituteEnv(toPlainData(file, doc), options.env ?? process.env);
  const data = substituted.value;
  // reportInput: zod's zh-CN locale names the type it received from the input.
  const result = schema.safeParse(data, { reportInput: true });
  const schemaProblems = result.success ? [] : result.error.issues.flatMap((issue) => describeIssue(issue, data));
  const checkProblems = options.check?.(data) ?? [];

  // A missing variable explains whatever the schema then says about the unresolved text.
  const envPaths = new Set(substituted.problems.map((problem) => formatPath(problem.path)));
  const problems = dedupe([
    ...substituted.problems,
    ...schemaProblems.filter((problem) => !envPaths.has(formatPath(problem.path))),
    ...checkProblems,
  ]);
  if (problems.length > 0 || !result.success) {
    const locate = lineLocator(doc, lineCounter);
    throw new ConfigError(
      problems.map(
        (problem): ConfigProblem => ({
          file,
          line: locate(problem.path),
          path: formatPath(problem.path),
          message: problem.message,
          ...(problem.hint === undefined ? {} : { hint: problem.hint }),
          zh: problem.zh,
        }),
      ),
    );
  }
  return result.data;
}

/** toJS throws on alias bombs (`maxAliasCount`); that is a problem with the file, not a crash. */
function toPlainData(file: string, doc: Document.Parsed): unknown {
  try {
    return doc.toJS();
  } catch (error) {
    throw new ConfigError([{ file, path: '', ...fileProblem.aliasBomb((error as Error).message) }], {
      cause: error,
    });
  }
}

async function readText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readInputFile(file, 'config');
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    throw new ConfigError([{ file, path: '', ...fileProblem.unreadable(readReason(error)) }], { cause: error });
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad !== undefined) {
    // Decoding would turn the byte into U+FFFD silently: a password or URI would change unseen.
    throw new ConfigError([{ file, line: bad.line, path: '', ...fileProblem.notUtf8(bad.byte) }]);
  }
  return bytes.toString('utf8');
}

/** The line and value of the first byte that is not part of valid UTF-8, if any. */
function firstInvalidUtf8(bytes: Buffer): { line: number; byte: number } | undefined {
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return undefined;
  // Everything before the first replacement character decoded faithfully, so its UTF-8 length is the offset of the bad byte.
  const offset = Buffer.byteLength(text.slice(0, text.indexOf('\uFFFD')));
  const line = text.slice(0, text.indexOf('\uFFFD')).split('\n').length;
  return { line, byte: bytes[offset] ?? 0 };
}

/** zod's issue messages, reworded where they would confuse someone editing YAML. */
function describeIssue(issue: z.core.$ZodIssue, data: unknown): PathProblem[] {
  const path = issue.path;
  if (issue.code !== 'unrecognized_keys' && path.length > 0 && valueAt(data, path) === undefined) {
    return [{ path, ...schemaProblem.missing() }];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], ...schemaProblem.unknownKey(key) }));
    case 'invalid_type':
      if (path.length === 0 && (data === null || data === undefined)) return [{ path, ...schemaProblem.emptyFile() }];
      return [{ path, ...issueText(issue) }];
    case 'invalid_value':
      return [{ path, ...schemaProblem.invalidValue(valueAt(data, path), issue.values) }];
    case 'invalid_key':
      // A record key that failed its own check (a header name, a received message): say why.
      return issue.issues.map((inner) => ({ path, ...issueText(inner) }));
    default:
      return [{ path, ...issueText(issue) }];
  }
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/**
 * Maps a path to the line a person should look at: the value's line for a scalar, the key's
 * line for a collection, and for a path that does not exist (a missing field) the line of
 * the deepest part that does.
 */
function lineLocator(doc: Document.Parsed, lines: LineCounter): (path: readonly PropertyKey[]) => number | undefined {
  const lineAt = (node: Node | null | undefined): number | undefined =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;
  return (path) => {
    let node: unknown = doc.contents;
    let line = lineAt(doc.contents) ?? 1;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (pair === undefined) break;
        line = lineAt(pair.key as Node) ?? line;
        node = pair.value;
        if (isScalar(node)) line = lineAt(node) ?? line;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        node = node.items[segment];
        line = lineAt(node as Node) ?? line;
      } else {
        break;
      }
    }
    return line;
  };
}

function dedupe(problems: PathProblem[]): PathProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${formatPath(problem.path)}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
