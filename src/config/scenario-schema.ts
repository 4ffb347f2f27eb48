import { z } from 'zod';
import { behaviourOverrideSchema } from './behaviour.js';
import { durationMs, percentFraction } from './duration.js';
import { FlowPatternError, parseFlowPattern } from './flow-pattern.js';
import { statusCode } from './scalar-fields.js';
import type { CallStep, CallTarget, Roles, Scenario, ScenarioStep } from './scenario-types.js';

export const CALL_WAIT_FOR = ['ringing', 'confirmed', 'terminated'] as const;
export const EXPECTED_OUTCOMES = ['answered', 'rejected', 'cancelled', 'timeout'] as const;
export const STEP_KINDS = ['call', 'wait', 'hangup', 'dtmf', 'hold', 'unhold'] as const;

// YAML reads a bare `407` as a number; it is still a pattern, just one missing its direction.
const flowPattern = z.union([z.string(), z.number()]).transform((input, ctx) => {
  try {
    return parseFlowPattern(String(input));
  } catch (error) {
    if (!(error instanceof FlowPatternError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message, params: { hint: error.hint } });
    return z.NEVER;
  }
});

// Names of roles and bots are checked against each other by the reference pass (scenario-checks).
const name = z.string();

const callSchema = z.strictObject({
  from: name,
  to: name,
  cancelAfter: durationMs.optional(),
  hangupAfter: durationMs.optional(),
  name: name.optional(),
});

// RFC 4733 §3.2 events 0-15; YAML would read an unquoted 0123 as the number 123, so a string only.
const dtmfDigits = z
  .string({ error: 'expected DTMF digits as a quoted string, e.g. "1234#"' })
  .regex(/^[0-9*#A-Da-d]+$/, { error: 'expected DTMF digits 0-9, *, #, A-D, e.g. "1234#"' });

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
  waitFor: z.enum(CALL_WAIT_FOR).optional(),
});

/**
 * What a role must have heard while connected. `hears` is a frequency in Hz, or the name of a
 * role whose bot's tone it must be (`hears: callee`).
 */
const mediaExpectationSchema = z.strictObject({
  hears: z.union([z.number().int().min(20).max(3999), name]).optional(),
  minPackets: z.number().int().min(0).optional(),
  maxLoss: percentFraction.optional(),
  maxJitterMs: z.number().min(0).optional(),
  /** RFC 4733 digits the role must have received, in order. */
  digits: dtmfDigits.optional(),
});

/** The YAML shape; `resolveScenario` turns its output into a Scenario. */
export const scenarioSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'expected a kebab-case id such as no-answer' }),
  title: z.string().min(1),
  description: z.string().optional(),
  roles: z.object({ caller: name, callee: name }).catchall(name),
  behaviour: z.record(z.string(), behaviourOverrideSchema).optional(),
  proxy: z.strictObject({ inviteTimeout: durationMs.optional() }).optional(),
  steps: z.array(stepSchema),
  expect: z
    .strictObject({
      call: name.optional(),
      outcome: z.enum(EXPECTED_OUTCOMES).optional(),
      status: statusCode.optional(),
      legs: z.record(z.string(), z.array(flowPattern)).optional(),
      media: z.record(z.string(), mediaExpectationSchema).optional(),
    })
    .optional(),
});

type RawScenario = z.output<typeof scenarioSchema>;

export function resolveScenario(file: string, raw: RawScenario): Scenario {
  let calls = 0;
  const steps = raw.steps.map((step): ScenarioStep => {
    if (step.call !== undefined) {
      calls += 1;
      return resolveCall(step.call, step.waitFor, calls);
    }
    if (step.wait !== undefined) return { kind: 'wait', ms: step.wait };
    if (step.hangup !== undefined) return { kind: 'hangup', role: step.hangup };
    if (step.dtmf !== undefined) return { kind: 'dtmf', role: step.dtmf.from, digits: step.dtmf.digits.toUpperCase() };
    if (step.hold !== undefined) return { kind: 'hold', role: step.hold, hold: true };
    if (step.unhold !== undefined) return { kind: 'hold', role: step.unhold, hold: false };
    // The reference pass rejects such a step before this runs.
    throw new Error('step without call, wait, hangup, dtmf, hold or unhold reached resolveScenario');
  });
  const lastCall = steps.filter((step): step is CallStep => step.kind === 'call').at(-1);
  const expect = raw.expect ?? {};
  return {
    file,
    id: raw.id,
    title: raw.title,
    ...(raw.description === undefined ? {} : { description: raw.description }),
    roles: raw.roles as Roles,
    behaviour: raw.behaviour ?? {},
    proxy: raw.proxy?.inviteTimeout === undefined ? {} : { inviteTimeoutMs: raw.proxy.inviteTimeout },
    steps,
    expect: {
      call: expect.call ?? lastCall?.name ?? '',
      ...(expect.outcome === undefined ? {} : { outcome: expect.outcome }),
      ...(expect.status === undefined ? {} : { status: expect.status }),
      legs: expect.legs ?? {},
      media: expect.media ?? {},
    },
  };
}

function resolveCall(call: z.output<typeof callSchema>, waitFor: CallStep['waitFor'] | undefined, ordinal: number): CallStep {
  return {
    kind: 'call',
    name: call.name ?? defaultCallName(ordinal),
    from: call.from,
    to: callTarget(call.to),
    ...(call.cancelAfter === undefined ? {} : { cancelAfterMs: call.cancelAfter }),
    ...(call.hangupAfter === undefined ? {} : { hangupAfterMs: call.hangupAfter }),
    waitFor: waitFor ?? 'terminated',
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
