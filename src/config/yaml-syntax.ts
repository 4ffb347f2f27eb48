import type { YAMLError } from 'yaml';
import type { ConfigProblem } from './config-error.js';

const SYNTAX_HINT = 'check indentation and quoting; a value containing ": " or starting with [ { & * needs quotes';
const MISALIGNED_HINT =
  'this line is indented deeper than the key above it, so YAML reads it as part of that value; align it with its sibling keys';
const SYNTAX_HINTS: Partial<Record<string, string>> = {
  BAD_INDENT: 'indent with spaces, each child deeper than its parent key and siblings aligned',
  TAB_AS_INDENT: 'indent with spaces; YAML forbids tabs',
  DUPLICATE_KEY: 'each key may appear only once in a mapping',
  MULTILINE_IMPLICIT_KEY: MISALIGNED_HINT,
};

/**
 * The parser's errors as problems. One over-indented key (`  caller: a` then `   callee: b`)
 * makes the parser report two errors at the line above; we keep the one whose end points at
 * the offending line, and report it there.
 */
export function syntaxProblems(file: string, errors: readonly YAMLError[]): ConfigProblem[] {
  const multilineKeyAt = new Set(errors.filter((e) => e.code === 'MULTILINE_IMPLICIT_KEY').map((e) => e.pos[0]));
  return errors
    .filter((error) => !(error.code === 'BLOCK_AS_IMPLICIT_KEY' && multilineKeyAt.has(error.pos[0])))
    .map((error) => {
      const [start, end] = error.linePos ?? [];
      const line = error.code === 'MULTILINE_IMPLICIT_KEY' ? (end ?? start)?.line : start?.line;
      return {
        file,
        ...(line === undefined ? {} : { line }),
        path: '',
        message: firstLine(error.message),
        hint: SYNTAX_HINTS[error.code] ?? SYNTAX_HINT,
      };
    });
}

/** The parser's message without its source excerpt and position, which the problem already has. */
function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
}
