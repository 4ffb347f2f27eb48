import { z } from 'zod';
import { durationMs } from './duration.js';
import { booleanField, integerField } from './scalar-fields.js';

export const ON_INVITE = ['answer', 'ring', 'reject', 'timeout'] as const;

/**
 * Reliable provisional responses (RFC 3262) as a callee uses them: `supported` sends its 18x
 * with `Require: 100rel` and RSeq when the INVITE says it supports them (else unreliably);
 * `required` always does, and answers an INVITE that does not support them 421 Extension Required.
 */
export const REL100 = ['supported', 'required'] as const;
export type Rel100 = (typeof REL100)[number];
export const rel100Field = z.enum(REL100);

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
  /**
   * Early media: 183 Session Progress with the SDP answer instead of 180, the bot's tone sent as
   * RTP at once, for this long; then `onInvite` goes on (answer: 200) in place of `ringForMs`.
   */
  earlyMediaMs?: number;
  /** Send the 18x reliably (RFC 3262); absent: never, unless the INVITE requires it. */
  rel100?: Rel100;
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
    rejectWith: integerField(400, 699, { en: 'the final status to reject with, 4xx-6xx, e.g. 486 or 603', zh: '拒绝时回的最终状态码，4xx-6xx，例如 486 或 603' }).optional(),
    hangupAfter: durationMs.optional(),
    busyWhenInCall: booleanField.optional(),
    earlyMedia: durationMs.optional(),
    rel100: rel100Field.optional(),
  })
  .transform((raw): Partial<CalleeBehaviour> => {
    const out: Partial<CalleeBehaviour> = {};
    if (raw.onInvite !== undefined) out.onInvite = raw.onInvite;
    if (raw.ringFor !== undefined) out.ringForMs = raw.ringFor;
    if (raw.rejectWith !== undefined) out.rejectWith = raw.rejectWith;
    if (raw.hangupAfter !== undefined) out.hangupAfterMs = raw.hangupAfter;
    if (raw.busyWhenInCall !== undefined) out.busyWhenInCall = raw.busyWhenInCall;
    if (raw.earlyMedia !== undefined) out.earlyMediaMs = raw.earlyMedia;
    if (raw.rel100 !== undefined) out.rel100 = raw.rel100;
    return out;
  });

/** Later layers win field by field: defaults, then the bot, then the scenario's override for the role. */
export function resolveBehaviour(
  base: Readonly<CalleeBehaviour>,
  ...overrides: ReadonlyArray<Partial<CalleeBehaviour> | undefined>
): CalleeBehaviour {
  return Object.assign({}, base, ...overrides.filter((override) => override !== undefined));
}
