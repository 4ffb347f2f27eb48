import { z } from 'zod';
import { schemaProblem } from './problem-text.js';
import { customIssue } from './zod-problem.js';

const DURATION = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `500ms`, `1.5s`, `2m`, `1h` or a plain number of seconds, to whole milliseconds.
 * Returns undefined for anything else; the schema turns that into a located problem.
 */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  }
  const match = DURATION.exec(value.trim());
  if (match === null) return undefined;
  const amount = Number(match[1]);
  return Math.round(amount * UNIT_MS[match[2] ?? 's']!);
}

/** A duration field, normalised to milliseconds. */
export const durationMs = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue(customIssue(schemaProblem.duration(value)));
    return z.NEVER;
  }
  return ms;
});

const PERCENT = /^(\d+(?:\.\d+)?|\.\d+)\s*%$/;

/** `1%` to 0.01; a plain number is taken as a fraction already (`0.01`). */
export function parsePercent(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
  const match = PERCENT.exec(value.trim());
  if (match === null) return undefined;
  const fraction = Number(match[1]) / 100;
  return fraction <= 1 ? fraction : undefined;
}

/** A percentage field (`1%`, `0.5%`, or a fraction `0.01`), normalised to a fraction in [0, 1]. */
export const percentFraction = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const fraction = parsePercent(value);
  if (fraction === undefined) {
    ctx.addIssue(customIssue(schemaProblem.percentage(value)));
    return z.NEVER;
  }
  return fraction;
});
