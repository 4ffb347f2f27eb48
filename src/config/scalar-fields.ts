import { z } from 'zod';
import { schemaProblem, type FieldMeaning } from './problem-text.js';
import { customIssue, localizedError } from './zod-problem.js';

/**
 * Number and boolean fields that also accept their text form. A value written as
 * `expires: ${EXPIRES:-60}` is a string after environment substitution, though the person meant
 * the number, exactly as if they had typed `expires: 60`.
 */
function fromText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return value;
}

/** A whole number in [min, max]; `what` becomes the hint, saying what the number means. */
export function integerField(min: number, max: number, what: FieldMeaning): z.ZodType<number> {
  return z.unknown().transform((input, ctx) => {
    const value = fromText(input);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      ctx.addIssue(customIssue(schemaProblem.wholeNumber(min, max, input, what)));
      return z.NEVER;
    }
    return value;
  });
}

export const booleanField: z.ZodType<boolean> = z.preprocess(fromText, z.boolean({ error: localizedError(schemaProblem.trueOrFalse()) }));

/** SIP status codes as numbers, never strings (STYLE: no status compared as a string). */
export const statusCode = integerField(100, 699, { en: 'a SIP status code, e.g. 486', zh: 'SIP 状态码，例如 486' });

/** Free text where YAML may have read a number (`user: 1001`, `password: 1234`): kept as the text written. */
export function textField(what: FieldMeaning): z.ZodType<string> {
  return z
    .union([z.string(), z.number()], { error: localizedError(schemaProblem.expected(what)) })
    .transform(String)
    .pipe(z.string().min(1, { error: localizedError(schemaProblem.empty(what)) }));
}

/** Names of bots and roles: they appear in file names, log fields and report columns. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
