import { z } from 'zod';
import type { ProblemText } from './problem-text.js';

/**
 * A schema's own `error` in both languages. zod keeps one message string per issue, so the
 * whole ProblemText rides in the issue's `params` (zod copies the raw issue's keys after asking
 * for the message): no global zod configuration, whatever `--lang` a run asks for.
 */
export function localizedError(text: ProblemText | ((input: unknown) => ProblemText)): (issue: { input?: unknown; params?: Record<string, unknown> }) => string {
  return (issue) => {
    const resolved = typeof text === 'function' ? text(issue.input) : text;
    issue.params = { ...issue.params, text: resolved };
    return resolved.message;
  };
}

/** The issue a transform or refinement adds for a problem it found. */
export function customIssue(text: ProblemText): { code: 'custom'; message: string; params: { text: ProblemText } } {
  return { code: 'custom', message: text.message, params: { text } };
}

let zhLocale: ReturnType<typeof z.locales.zhCN> | undefined;

/**
 * An issue's words: ours when a schema gave them, zod's otherwise (English as zod says it, and
 * zod's own zh-CN locale for Chinese, asked per issue rather than installed globally).
 */
export function issueText(issue: z.core.$ZodIssue): ProblemText {
  const text: unknown = 'params' in issue ? issue.params?.['text'] : undefined;
  if (isProblemText(text)) return text;
  zhLocale ??= z.locales.zhCN();
  const zh = zhLocale.localeError(issue as unknown as z.core.$ZodRawIssue);
  const zhMessage = typeof zh === 'string' ? zh : (zh?.message ?? issue.message);
  return { message: issue.message, zh: { message: zhMessage } };
}

function isProblemText(value: unknown): value is ProblemText {
  return typeof value === 'object' && value !== null && typeof (value as ProblemText).message === 'string' && typeof (value as ProblemText).zh === 'object';
}
