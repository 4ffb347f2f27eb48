import { z } from 'zod';
import { durationMs } from './duration.js';
import { booleanField, integerField } from './scalar-fields.js';

export const ON_INVITE = ['answer', 'ring', 'reject', 'timeout'] as const;

/**
 * What a bot does with an incoming INVITE:
 * - `answer`: ring for `ringForMs`, then 200 OK;
 * - `ring`: 180 and nothing more, until the caller's CANCEL or a proxy timer ends it;
 * - `reject`: ring for `ringForMs`, then `rejectWith` (486 Busy Here by default);
 * - `timeout`: ring for `ringForMs`, then 408 Request Timeout, as a phone with a no-answer timer does.
 */
export type OnInvite = (typeof ON_INVITE)[number];

export interface CalleeBehaviour {
  onInvite: OnInvite;
  ringForMs: number;
  /** Final status for `reject`, 400-699. */
  rejectWith: number;
  /** After answering, send BYE this long after the ACK; absent: wait for the peer's BYE. */
  hangupAfterMs?: number;
  /** Answer 486 Busy Here to a new INVITE while already in a call. */
  busyWhenInCall: boolean;
}

export const DEFAULT_BEHAVIOUR: Readonly<CalleeBehaviour> = {
  onInvite: 'answer',
  ringForMs: 1000,
  rejectWith: 486,
  busyWhenInCall: true,
};

/** The YAML form (`ringFor: 1s`), every field optional: used by bots, bot defaults and scenario overrides. */
export const behaviourOverrideSchema = z
  .strictObject({
    onInvite: z.enum(ON_INVITE).optional(),
    ringFor: durationMs.optional(),
    rejectWith: integerField(400, 699, 'the final status to reject with, 4xx-6xx, e.g. 486 or 603').optional(),
    hangupAfter: durationMs.optional(),
    busyWhenInCall: booleanField.optional(),
  })
  .transform((raw): Partial<CalleeBehaviour> => {
    const out: Partial<CalleeBehaviour> = {};
    if (raw.onInvite !== undefined) out.onInvite = raw.onInvite;
    if (raw.ringFor !== undefined) out.ringForMs = raw.ringFor;
    if (raw.rejectWith !== undefined) out.rejectWith = raw.rejectWith;
    if (raw.hangupAfter !== undefined) out.hangupAfterMs = raw.hangupAfter;
    if (raw.busyWhenInCall !== undefined) out.busyWhenInCall = raw.busyWhenInCall;
    return out;
  });

/** Later layers win field by field: defaults, then the bot, then the scenario's override for the role. */
export function resolveBehaviour(
  base: Readonly<CalleeBehaviour>,
  ...overrides: ReadonlyArray<Partial<CalleeBehaviour> | undefined>
): CalleeBehaviour {
  return Object.assign({}, base, ...overrides.filter((override) => override !== undefined));
}
