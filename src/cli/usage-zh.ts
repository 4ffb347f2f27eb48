import { InvalidArgumentError } from 'commander';
import type { CliLang } from './cli-lang.js';

/** An option value a parser rejects, in both languages; `message` (what commander prints) is the English. */
export class OptionValueError extends InvalidArgumentError {
  constructor(
    message: string,
    readonly zh: string,
  ) {
    super(message);
  }
}

/**
 * A parser whose rejection reads in `lang`. commander keeps only the message of the error a
 * parser throws, so the choice of language is made here, before commander sees it.
 */
export function inLang<T>(lang: CliLang, parse: (value: string) => T): (value: string) => T {
  if (lang === 'en') return parse;
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof OptionValueError) throw new InvalidArgumentError(error.zh);
      throw error;
    }
  };
}

/** What commander prints after a usage error, under `--lang zh`. */
export const ZH_HELP_AFTER_ERROR = '（用 --help 查看用法）';

/**
 * commander's own usage errors (lib/command.js, v14) in Chinese. commander hands its output
 * hook only the finished English line, not the error's code, so each of its formats is matched
 * here; a format it may add later passes through as commander wrote it. Option names, values
 * and the reasons our parsers gave (already Chinese, see inLang) stay as they are.
 */
const FORMATS: ReadonlyArray<readonly [RegExp, (...parts: string[]) => string]> = [
  [/^error: unknown option '(.*?)'(?:\n\(Did you mean (?:one of )?(.*)\?\))?$/s, (flag, similar) => `错误：未知的选项 '${flag}'${similar === undefined ? '' : `\n（是否想用 ${similar}？）`}`],
  [/^error: option '(.*?)' argument '(.*?)' is invalid\. (.*)$/s, (flags, value, reason) => `错误：选项 '${flags}' 的值 '${value}' 无效：${choices(reason!)}`],
  [/^error: command-argument value '(.*?)' is invalid for argument '(.*?)'\. (.*)$/s, (value, name, reason) => `错误：参数 '${name}' 的值 '${value}' 无效：${choices(reason!)}`],
  [/^error: missing required argument '(.*?)'$/, (name) => `错误：缺少必需的参数 '${name}'`],
  [/^error: option '(.*?)' argument missing$/, (flags) => `错误：选项 '${flags}' 缺少值`],
  [/^error: required option '(.*?)' not specified$/, (flags) => `错误：必需的选项 '${flags}' 没有给出`],
  [/^error: too many arguments(?: for '(.*?)')?\. Expected (\d+) arguments? but got (\d+)\.$/, (command, expected, got) => `错误：${command === undefined ? '' : `'${command}' 的`}参数太多：应为 ${expected} 个，实际 ${got} 个`],
];

function choices(reason: string): string {
  return reason.replace(/^Allowed choices are (.*)\.$/, '可选：$1');
}

export function zhUsageError(text: string): string {
  const line = text.replace(/\n$/, '');
  for (const [pattern, say] of FORMATS) {
    const match = pattern.exec(line);
    if (match) return `${say(...match.slice(1))}\n`;
  }
  return text;
}
