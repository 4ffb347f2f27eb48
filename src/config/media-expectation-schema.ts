import { z } from 'zod';
import { percentFraction } from './duration.js';
import { schemaProblem } from './problem-text.js';
import { localizedError } from './zod-problem.js';

// RFC 4733 §3.2 events 0-15; YAML would read an unquoted 0123 as the number 123, so a string only.
export const dtmfDigits = z
  .string({ error: localizedError(schemaProblem.dtmfQuoted()) })
  .regex(/^[0-9*#A-Da-d]+$/, { error: localizedError(schemaProblem.dtmfDigits()) });

/**
 * What a role must have heard while connected. `hears` is a frequency in Hz, or the name of a
 * role whose bot's tone it must be (`hears: callee`).
 */
export const mediaExpectationSchema = z.strictObject({
  hears: z.union([z.number().int().min(20).max(3999), z.string()]).optional(),
  /** The same, heard between the early answer (183 with SDP) and the 200: early media. */
  hearsBeforeAnswer: z.union([z.number().int().min(20).max(3999), z.string()]).optional(),
  minPackets: z.number().int().min(0).optional(),
  maxLoss: percentFraction.optional(),
  maxJitterMs: z.number().min(0).optional(),
  /** RFC 4733 digits the role must have received, in order. */
  digits: dtmfDigits.optional(),
});
