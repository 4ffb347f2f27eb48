import type { ErrorCode, YAMLError } from 'yaml';
import type { ConfigProblem } from './config-error.js';
import type { FieldMeaning } from './problem-text.js';

const SYNTAX_HINT: FieldMeaning = {
  en: 'check indentation and quoting; a value containing ": " or starting with [ { & * needs quotes',
  zh: '检查缩进和引号；含 ": " 或以 [ { & * 开头的值要加引号',
};
const MISALIGNED_HINT: FieldMeaning = {
  en: 'this line is indented deeper than the key above it, so YAML reads it as part of that value; align it with its sibling keys',
  zh: '这一行比上面的键缩进得更深，YAML 把它当成那个值的一部分；请与同级的键对齐',
};
const SYNTAX_HINTS: Partial<Record<ErrorCode, FieldMeaning>> = {
  BAD_INDENT: { en: 'indent with spaces, each child deeper than its parent key and siblings aligned', zh: '用空格缩进：子项比父键更深，同级对齐' },
  TAB_AS_INDENT: { en: 'indent with spaces; YAML forbids tabs', zh: '用空格缩进；YAML 不允许制表符' },
  DUPLICATE_KEY: { en: 'each key may appear only once in a mapping', zh: '同一个映射中每个键只能出现一次' },
  MULTILINE_IMPLICIT_KEY: MISALIGNED_HINT,
};

/** The parser's message is English; under zh the error's code is described instead (the code itself stays, for searching). */
const SYNTAX_ZH: Record<ErrorCode, string> = {
  ALIAS_PROPS: '别名不能带锚点或标签',
  BAD_ALIAS: '无效的别名',
  BAD_COLLECTION_TYPE: '集合的类型不对',
  BAD_DIRECTIVE: '无效的指令',
  BAD_DQ_ESCAPE: '双引号字符串中有无效的转义',
  BAD_INDENT: '缩进不对',
  BAD_PROP_ORDER: '锚点和标签的位置不对',
  BAD_SCALAR_START: '值不能以这个字符开头',
  BLOCK_AS_IMPLICIT_KEY: '块集合不能作为隐式键',
  BLOCK_IN_FLOW: '流式集合中不能有块集合',
  DUPLICATE_KEY: '重复的键',
  IMPOSSIBLE: '解析器内部错误',
  KEY_OVER_1024_CHARS: '隐式键超过 1024 个字符',
  MISSING_CHAR: '缺少字符（如引号或括号未闭合）',
  MULTILINE_IMPLICIT_KEY: '隐式键不能跨行',
  MULTIPLE_ANCHORS: '一个节点有多个锚点',
  MULTIPLE_DOCS: '文件中有多个文档',
  MULTIPLE_TAGS: '一个节点有多个标签',
  NON_STRING_KEY: '键不是字符串',
  RESOURCE_EXHAUSTION: '别名展开过多',
  TAB_AS_INDENT: '用了制表符缩进',
  TAG_RESOLVE_FAILED: '无法解析标签',
  UNEXPECTED_TOKEN: '意外的内容',
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
      const hint = SYNTAX_HINTS[error.code] ?? SYNTAX_HINT;
      return {
        file,
        ...(line === undefined ? {} : { line }),
        path: '',
        message: firstLine(error.message),
        hint: hint.en,
        zh: { message: `YAML 语法错误：${SYNTAX_ZH[error.code]}（${error.code}）`, hint: hint.zh },
      };
    });
}

/** The parser's message without its source excerpt and position, which the problem already has. */
function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
}
