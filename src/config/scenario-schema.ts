import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { behaviourOverrideSchema, rel100Field } from './behaviour.js';
import { durationMs } from './duration.js';
import { flowPattern } from './flow-pattern-field.js';
import { headerExpectationsSchema, resolveHeaderExpectations } from './header-expectation-schema.js';
import {
  headersSchema,
  infoStepSchema,
  messageStepSchema,
  optionsStepSchema,
  registerStepSchema,
  resolveInfoStep,
  resolveMessageStep,
  resolveOptionsStep,
  resolveRegisterStep,
  resolveTransferStep,
  transferStepSchema,
  unregisterStepSchema,
} from './request-step-schema.js';
import { resolveSubscribeStep, subscribeStepSchema } from './subscribe-step-schema.js';
import { offerStepSchema, resolveOfferStep } from './offer-step-schema.js';
import { awaitStepSchema, expectedCallSchema, resolveAwaitStep, resolveExpectedCall } from './incoming-call-schema.js';
import { dtmfDigits, mediaExpectationSchema } from './media-expectation-schema.js';
import { statusCode, textField } from './scalar-fields.js';
import type { CallStep, CallTarget, Roles, Scenario, ScenarioStep, ScenarioTranslations } from './scenario-types.js';
import { schemaProblem } from './problem-text.js';
import { localizedError } from './zod-problem.js';

export const CALL_WAIT_FOR = ['ringing', 'confirmed', 'terminated'] as const;
export const EXPECTED_OUTCOMES = ['answered', 'rejected', 'cancelled', 'timeout'] as const;
export const STEP_KINDS = ['call', 'wait', 'hangup', 'dtmf', 'hold', 'unhold', 'await', 'message', 'options', 'info', 'register', 'unregister', 'transfer', 'subscribe', 'reinvite', 'update'] as const;
/** Step kinds that send a request of their own, so `headers:` beside them means something. */
export const HEADER_STEP_KINDS = ['call', 'message', 'options', 'info', 'transfer', 'subscribe'] as const;

/**
 * A title or description: plain text (any language), or one text per language with English
 * required, `title: { en: Nobody answers, zh: 无人接听 }`; the report and terminal pick `--lang`.
 */
const localizedText = z.union([
  z.string().min(1),
  z.strictObject({ en: z.string().min(1), zh: z.string().min(1).optional() }, { error: localizedError(schemaProblem.localizedText()) }),
]);

// Names of roles and bots are checked against each other by the reference pass (scenario-checks).
const name = z.string();

/** A display name sent as a quoted-string (RFC 3261 §25.1): no quote, backslash or line break to escape. */
const displayName = textField({ en: 'a display name such as Bob', zh: '显示名，例如 Bob' }).pipe(
  z.string().regex(/^[^"\\\r\n]+$/, { error: localizedError(schemaProblem.displayName()) }),
);

const callSchema = z.strictObject({
  from: name,
  to: name,
  cancelAfter: durationMs.optional(),
  hangupAfter: durationMs.optional(),
  name: name.optional(),
  rel100: rel100Field.optional(),
  // `To: "Bob" <sip:bob@...>`: RFC 3261 §20.39 display-name, sent as a quoted-string.
  toDisplayName: displayName.optional(),
});

const dtmfSchema = z.strictObject({
  from: name,
  digits: dtmfDigits,
});

// One object with all step kinds optional rather than a union: zod's union errors say
// "invalid input" for the whole step, this reports the actual bad field. The reference pass
// enforces "exactly one of call, wait, hangup, dtmf, hold, unhold".
const stepSchema = z.strictObject({
  call: callSchema.optional(),
  wait: durationMs.optional(),
  hangup: name.optional(),
  // The role's connected call(s): RFC 4733 digits, or a re-INVITE to hold (a=sendonly) / resume.
  dtmf: dtmfSchema.optional(),
  hold: name.optional(),
  unhold: name.optional(),
  // Pause until a call (an expected incoming one, or a call step's) reaches a state.
  await: awaitStepSchema.optional(),
  // Requests of their own (request-step-schema): MESSAGE, OPTIONS, INFO, REGISTER.
  message: messageStepSchema.optional(),
  options: optionsStepSchema.optional(),
  info: infoStepSchema.optional(),
  register: registerStepSchema.optional(),
  unregister: unregisterStepSchema.optional(),
  transfer: transferStepSchema.optional(),
  subscribe: subscribeStepSchema.optional(),
  // A new offer in the call (offer-step-schema): re-INVITE or UPDATE changing codec or direction.
  reinvite: offerStepSchema.optional(),
  update: offerStepSchema.optional(),
  waitFor: z.enum(CALL_WAIT_FOR).optional(),
  headers: headersSchema.optional(),
});

/** The YAML shape; `resolveScenario` turns its output into a Scenario. */
export const scenarioSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: localizedError(schemaProblem.kebabId()) }),
  title: localizedText,
  description: localizedText.optional(),
  roles: z.object({ caller: name, callee: name }).catchall(name),
  behaviour: z.record(z.string(), behaviourOverrideSchema).optional(),
  proxy: z
    .strictObject({
      inviteTimeout: durationMs.optional(),
      cancelledInviteStatus: z.union([z.literal(408), z.literal(487)], { error: localizedError(schemaProblem.cancelledInviteStatus()) }).optional(),
    })
    .optional(),
  // The capture a scenario was made from (sipbots scenario from-capture), path relative to this file:
  // the report draws its ladder beside the run's.
  source: z.strictObject({ capture: z.string().min(1), calls: z.array(z.string().min(1)).min(1) }).optional(),
  steps: z.array(stepSchema),
  expect: z
    .strictObject({
      call: name.optional(),
      outcome: z.enum(EXPECTED_OUTCOMES).optional(),
      status: statusCode.optional(),
      legs: z.record(z.string(), z.array(flowPattern)).optional(),
      media: z.record(z.string(), mediaExpectationSchema).optional(),
      // Calls roles must receive, from anyone or from a pattern, each judged (incoming-call-schema).
      calls: z.record(z.string(), expectedCallSchema).optional(),
      // Headers of messages a role received (header-expectation-schema).
      headers: headerExpectationsSchema.optional(),
    })
    .optional(),
});

type RawScenario = z.output<typeof scenarioSchema>;

export function resolveScenario(file: string, raw: RawScenario): Scenario {
  let calls = 0;
  const steps = raw.steps.map((step): ScenarioStep => {
    if (step.call !== undefined) {
      calls += 1;
      return resolveCall(step.call, step.waitFor, calls, step.headers);
    }
    if (step.wait !== undefined) return { kind: 'wait', ms: step.wait };
    if (step.hangup !== undefined) return { kind: 'hangup', role: step.hangup };
    if (step.dtmf !== undefined) return { kind: 'dtmf', role: step.dtmf.from, digits: step.dtmf.digits.toUpperCase() };
    if (step.hold !== undefined) return { kind: 'hold', role: step.hold, hold: true };
    if (step.unhold !== undefined) return { kind: 'hold', role: step.unhold, hold: false };
    if (step.await !== undefined) return resolveAwaitStep(step.await);
    if (step.message !== undefined) return resolveMessageStep(step.message, step.headers);
    if (step.options !== undefined) return resolveOptionsStep(step.options, step.headers);
    if (step.info !== undefined) return resolveInfoStep(step.info, step.headers);
    if (step.register !== undefined) return resolveRegisterStep(step.register, true);
    if (step.unregister !== undefined) return resolveRegisterStep(step.unregister, false);
    if (step.transfer !== undefined) return resolveTransferStep(step.transfer, step.headers);
    if (step.subscribe !== undefined) return resolveSubscribeStep(step.subscribe, step.headers);
    if (step.reinvite !== undefined) return resolveOfferStep(step.reinvite, 'INVITE');
    if (step.update !== undefined) return resolveOfferStep(step.update, 'UPDATE');
    // The reference pass rejects such a step before this runs.
    throw new Error(`step without any of ${STEP_KINDS.join(', ')} reached resolveScenario`);
  });
  const lastCall = steps.filter((step): step is CallStep => step.kind === 'call').at(-1);
  const expect = raw.expect ?? {};
  return {
    file,
    id: raw.id,
    title: inLanguage(raw.title, 'en'),
    ...(raw.description === undefined ? {} : { description: inLanguage(raw.description, 'en') }),
    ...translations(raw.title, raw.description),
    roles: raw.roles as Roles,
    behaviour: raw.behaviour ?? {},
    proxy: {
      ...(raw.proxy?.inviteTimeout === undefined ? {} : { inviteTimeoutMs: raw.proxy.inviteTimeout }),
      ...(raw.proxy?.cancelledInviteStatus === undefined ? {} : { cancelledInviteStatus: raw.proxy.cancelledInviteStatus }),
    },
    ...(raw.source === undefined ? {} : { source: { capture: resolve(dirname(file), raw.source.capture), calls: raw.source.calls } }),
    steps,
    expect: {
      call: expect.call ?? lastCall?.name ?? '',
      ...(expect.outcome === undefined ? {} : { outcome: expect.outcome }),
      ...(expect.status === undefined ? {} : { status: expect.status }),
      legs: expect.legs ?? {},
      media: expect.media ?? {},
      ...(expect.calls === undefined ? {} : { calls: Object.entries(expect.calls).map(([callName, call]) => resolveExpectedCall(callName, call)) }),
      ...(expect.headers === undefined ? {} : { headers: resolveHeaderExpectations(expect.headers) }),
    },
  };
}

function resolveCall(call: z.output<typeof callSchema>, waitFor: CallStep['waitFor'] | undefined, ordinal: number, headers: CallStep['headers']): CallStep {
  return {
    kind: 'call',
    name: call.name ?? defaultCallName(ordinal),
    from: call.from,
    to: callTarget(call.to),
    ...(call.cancelAfter === undefined ? {} : { cancelAfterMs: call.cancelAfter }),
    ...(call.hangupAfter === undefined ? {} : { hangupAfterMs: call.hangupAfter }),
    ...(call.rel100 === undefined ? {} : { rel100: call.rel100 }),
    ...(call.toDisplayName === undefined ? {} : { toDisplayName: call.toDisplayName }),
    waitFor: waitFor ?? 'terminated',
    ...(headers === undefined ? {} : { headers }),
  };
}

export function defaultCallName(ordinal: number): string {
  return `call-${ordinal}`;
}

export function isSipUri(target: string): boolean {
  return /^sips?:/.test(target);
}

function callTarget(to: string): CallTarget {
  return isSipUri(to) ? { kind: 'uri', uri: to } : { kind: 'role', role: to };
}

type LocalizedText = z.output<typeof localizedText>;

function inLanguage(text: LocalizedText, lang: 'en' | 'zh'): string | undefined;
function inLanguage(text: LocalizedText, lang: 'en'): string;
function inLanguage(text: LocalizedText, lang: 'en' | 'zh'): string | undefined {
  return typeof text === 'string' ? (lang === 'en' ? text : undefined) : text[lang];
}

function translations(title: LocalizedText, description: LocalizedText | undefined): { translations?: ScenarioTranslations } {
  const zhTitle = inLanguage(title, 'zh');
  const zhDescription = description === undefined ? undefined : inLanguage(description, 'zh');
  if (zhTitle === undefined && zhDescription === undefined) return {};
  return { translations: { zh: { ...(zhTitle === undefined ? {} : { title: zhTitle }), ...(zhDescription === undefined ? {} : { description: zhDescription }) } } };
}
