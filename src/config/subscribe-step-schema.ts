import { z } from 'zod';
import type { FlowPattern } from './flow-pattern.js';
import { flowPattern } from './flow-pattern-field.js';
import { expectedStatus } from './request-step-schema.js';
import { booleanField, integerField } from './scalar-fields.js';
import type { RequestHeaders } from './scenario-types.js';

/**
 * SUBSCRIBE (RFC 6665) from a role to a role or URI for an event package: the final status must
 * be one of `status` (any 2xx when absent); once accepted, a NOTIFY must come, its body
 * matching `notify` when given; then, unless `unsubscribe: false`, SUBSCRIBE with Expires: 0,
 * answered 2xx and followed by NOTIFY `Subscription-State: terminated`. `leg` is the
 * subscriber's flow for the subscription's Call-ID.
 */
export interface SubscribeStep {
  kind: 'subscribe';
  role: string;
  /** A role name or a SIP URI. */
  to: string;
  event: string;
  expires: number;
  status?: number[];
  /** A regular expression the first NOTIFY's body must match. */
  notify?: string;
  unsubscribe: boolean;
  leg?: FlowPattern[];
  headers?: RequestHeaders;
}

// RFC 6665 §8.4: an event package name is a token, optionally with template packages (`presence.winfo`).
const eventPackage = z.string().regex(/^[A-Za-z0-9!%*_+`'~-]+(\.[A-Za-z0-9!%*_+`'~-]+)*$/, { error: 'expected an event package name such as presence, message-summary or dialog' });

const bodyPattern = z.string().refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected an ECMAScript regular expression the NOTIFY body must match, e.g. "<basic>open</basic>"' },
);

/** `- subscribe: { from: caller, to: callee, event: presence, notify: "<basic>open", leg: [SUBSCRIBE>, <200, <NOTIFY, 200/NOTIFY>] }` */
export const subscribeStepSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  event: eventPackage,
  expires: integerField(1, 86400, 'the subscription duration in seconds asked for, e.g. 600').optional(),
  status: expectedStatus.optional(),
  notify: bodyPattern.optional(),
  unsubscribe: booleanField.optional(),
  leg: z.array(flowPattern).optional(),
});

export function resolveSubscribeStep(raw: z.output<typeof subscribeStepSchema>, headers: RequestHeaders | undefined): SubscribeStep {
  return {
    kind: 'subscribe',
    role: raw.from,
    to: raw.to,
    event: raw.event,
    expires: raw.expires ?? 600,
    ...(raw.status === undefined ? {} : { status: raw.status }),
    ...(raw.notify === undefined ? {} : { notify: raw.notify }),
    unsubscribe: raw.unsubscribe ?? true,
    ...(raw.leg === undefined ? {} : { leg: raw.leg }),
    ...(headers === undefined ? {} : { headers }),
  };
}
