import { z } from 'zod';
import { behaviourOverrideSchema } from './behaviour.js';
import { durationMs } from './duration.js';
import { flowPattern } from './flow-pattern-field.js';
import { mediaExpectationSchema } from './media-expectation-schema.js';
import { statusCode } from './scalar-fields.js';
import type { AwaitStep, CallerPattern, ExpectedCall, ExpectedOutcome } from './scenario-types.js';

/** How long an expected call may take to arrive when `within` is not given. */
export const DEFAULT_WITHIN_MS = 30_000;

/** States an `await` step can wait for. */
export const AWAIT_STATES = ['ringing', 'confirmed', 'terminated'] as const;

/**
 * `expect.calls.<name>`: a call the role `to` must receive from anyone (`from: any`), from a
 * role, from a SIP URI or a user part (`*` matches any run of characters), within `within` of
 * the case's start, handled with `behaviour` (merged over the bot's and the role's), and judged
 * on its final status, its flow at the callee and its media.
 */
export const expectedCallSchema = z.strictObject({
  to: z.string(),
  from: z.string().default('any'),
  within: durationMs.optional(),
  behaviour: behaviourOverrideSchema.optional(),
  outcome: z.enum(['answered', 'rejected', 'cancelled', 'timeout']).optional(),
  status: statusCode.optional(),
  leg: z.array(flowPattern).optional(),
  media: mediaExpectationSchema.optional(),
});

/** `- await: { call: from-phone, state: confirmed, within: 10s }`: pause until a call gets there. */
export const awaitStepSchema = z.strictObject({
  call: z.string(),
  role: z.string().optional(),
  state: z.enum(AWAIT_STATES).default('confirmed'),
  within: durationMs.optional(),
});

export function resolveExpectedCall(name: string, raw: z.output<typeof expectedCallSchema>): ExpectedCall {
  return {
    name,
    role: raw.to,
    from: callerPattern(raw.from),
    withinMs: raw.within ?? DEFAULT_WITHIN_MS,
    behaviour: raw.behaviour ?? {},
    ...(raw.outcome === undefined ? {} : { outcome: raw.outcome as ExpectedOutcome }),
    ...(raw.status === undefined ? {} : { status: raw.status }),
    ...(raw.leg === undefined ? {} : { leg: raw.leg }),
    ...(raw.media === undefined ? {} : { media: raw.media }),
  };
}

export function resolveAwaitStep(raw: z.output<typeof awaitStepSchema>): AwaitStep {
  return { kind: 'await', call: raw.call, ...(raw.role === undefined ? {} : { role: raw.role }), state: raw.state, ...(raw.within === undefined ? {} : { withinMs: raw.within }) };
}

/** `any`; `sip:…` compared with the caller's From URI; anything else with its user part (or a role name, resolved later). */
function callerPattern(text: string): CallerPattern {
  if (text === 'any') return { kind: 'any', text };
  return { kind: /^sips?:/.test(text) ? 'uri' : 'user', text };
}
