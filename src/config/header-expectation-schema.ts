import { z } from 'zod';
import type { HeaderCheck, HeaderExpectation } from './scenario-types.js';
import { schemaProblem } from './problem-text.js';
import { customIssue, localizedError } from './zod-problem.js';

/** `<INVITE`, `<MESSAGE`, `<180`, `<200/INVITE`: a message the role received. */
const RECEIVED = /^<(?:([A-Z]+)|(\d{3})(?:\/([A-Z]+))?)$/;

const receivedMessage = z.string().regex(RECEIVED, { error: localizedError(schemaProblem.receivedMessage()) });

/**
 * One check: `present`, `absent`, `~ <regex>` (ECMAScript, searched in the value), `= <text>`
 * or plain text (the whole value, trimmed).
 */
const headerCheck = z
  .union([z.string(), z.number()], { error: localizedError(schemaProblem.headerExpectation()) })
  .transform(String)
  .superRefine((text, ctx) => {
    const pattern = /^~\s*(.*)$/s.exec(text)?.[1];
    if (pattern === undefined) return;
    try {
      new RegExp(pattern);
    } catch (error) {
      ctx.addIssue(customIssue(schemaProblem.badRegex(pattern, (error as Error).message)));
    }
  });

/** `expect.headers`: role -> received message -> header name -> check. */
export const headerExpectationsSchema = z.record(z.string(), z.record(receivedMessage, z.record(z.string().min(1), headerCheck)));

export function resolveHeaderExpectations(raw: z.output<typeof headerExpectationsSchema>): HeaderExpectation[] {
  return Object.entries(raw).flatMap(([role, messages]) =>
    Object.entries(messages).flatMap(([message, headers]) => {
      const [, method, status, statusMethod] = RECEIVED.exec(message)!;
      const kind = method !== undefined ? { method } : { status: Number(status), ...(statusMethod === undefined ? {} : { method: statusMethod }) };
      return Object.entries(headers).map(([header, text]) => ({ role, message, ...kind, header, check: headerCheckOf(text) }));
    }),
  );
}

function headerCheckOf(text: string): HeaderCheck {
  const trimmed = text.trim();
  if (trimmed === 'present') return { kind: 'present' };
  if (trimmed === 'absent') return { kind: 'absent' };
  const pattern = /^~\s*(.*)$/s.exec(trimmed)?.[1];
  if (pattern !== undefined) return { kind: 'matches', pattern };
  const exact = /^=\s?(.*)$/s.exec(trimmed)?.[1];
  return { kind: 'equals', text: exact ?? trimmed };
}
