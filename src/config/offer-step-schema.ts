import { z } from 'zod';
import { expectedStatus } from './request-step-schema.js';
import type { OfferStep } from './scenario-types.js';

const CODECS = ['PCMU', 'PCMA'] as const;
const DIRECTIONS = ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const;

// The G.711 codecs bots send; the directions of RFC 3264 §5.1.
const codec = z.enum(CODECS);
const direction = z.enum(DIRECTIONS);

/**
 * `- reinvite: { from: caller, codec: PCMA, direction: sendonly }` and the same for `update`:
 * a new offer on each connected call of the role, listing only `codec` and saying `direction`.
 * `status` is the final status it must get (any 2xx when absent); `answer` what the peer's
 * answer must choose, beyond what RFC 3264 §6.1 requires of any answer.
 */
export const offerStepSchema = z.strictObject({
  from: z.string(),
  codec: codec.optional(),
  direction: direction.optional(),
  status: expectedStatus.optional(),
  answer: z.strictObject({ codec: codec.optional(), direction: direction.optional() }).optional(),
});

export function resolveOfferStep(raw: z.output<typeof offerStepSchema>, method: OfferStep['method']): OfferStep {
  return {
    kind: 'offer',
    method,
    role: raw.from,
    ...(raw.codec === undefined ? {} : { codec: raw.codec }),
    ...(raw.direction === undefined ? {} : { direction: raw.direction }),
    ...(raw.status === undefined ? {} : { status: raw.status }),
    ...(raw.answer === undefined ? {} : { answer: { ...(raw.answer.codec === undefined ? {} : { codec: raw.answer.codec }), ...(raw.answer.direction === undefined ? {} : { direction: raw.answer.direction }) } }),
  };
}
