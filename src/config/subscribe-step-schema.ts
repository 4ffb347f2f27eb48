import { z } from 'zod';
import { flowPattern } from './flow-pattern-field.js';
import { expectedStatus } from './request-step-schema.js';
import { booleanField, integerField } from './scalar-fields.js';
import type { RequestHeaders, SubscribeStep } from './scenario-types.js';
import { schemaProblem } from './problem-text.js';
import { localizedError } from './zod-problem.js';

// RFC 6665 §8.4: an event package name is a token, optionally with template packages (`presence.winfo`).
const eventPackage = z.string().regex(/^[A-Za-z0-9!%*_+`'~-]+(\.[A-Za-z0-9!%*_+`'~-]+)*$/, { error: localizedError(schemaProblem.eventPackage()) });

const bodyPattern = z.string().refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { error: localizedError(schemaProblem.bodyRegex()) },
);

/** `- subscribe: { from: caller, to: callee, event: presence, notify: "<basic>open", leg: [SUBSCRIBE>, <200, <NOTIFY, 200/NOTIFY>] }` */
export const subscribeStepSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  event: eventPackage,
  expires: integerField(1, 86400, { en: 'the subscription duration in seconds asked for, e.g. 600', zh: '请求的订阅时长（秒），例如 600' }).optional(),
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
