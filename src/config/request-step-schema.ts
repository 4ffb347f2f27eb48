import { z } from 'zod';
import { dtmfDigits } from './media-expectation-schema.js';
import { statusCode, textField } from './scalar-fields.js';
import type { InfoStep, MessageStep, OptionsStep, RegisterStep, RequestHeaders, TransferStep } from './scenario-types.js';
import { schemaProblem } from './problem-text.js';
import { customIssue, localizedError } from './zod-problem.js';

/** Headers sip.js builds itself (RFC 3261 §8.1.1); a scenario setting them would send them twice. */
const BUILT_HEADERS = ['via', 'from', 'to', 'call-id', 'cseq', 'contact', 'max-forwards', 'content-length', 'content-type', 'route', 'record-route', 'v', 'f', 't', 'i', 'm', 'l', 'c'];

// RFC 3261 §25.1: a header name is a token.
const headerName = z
  .string()
  .regex(/^[A-Za-z0-9.!%*_+`'~-]+$/, { error: localizedError(schemaProblem.headerName()) })
  .refine((name) => !BUILT_HEADERS.includes(name.toLowerCase()), {
    error: localizedError((input) => schemaProblem.builtHeader(String(input))),
  });

/** `status: 403` or `status: [401, 403]` (registrars differ on a wrong password): the final status a step must get. */
export const expectedStatus = z.unknown().transform((input, ctx): number[] => {
  const values: unknown[] = Array.isArray(input) ? input : [input];
  const codes = values.map((value) => statusCode.safeParse(value));
  if (values.length === 0 || codes.some((code) => !code.success)) {
    ctx.addIssue(customIssue(schemaProblem.statusList(input)));
    return z.NEVER;
  }
  return codes.map((code) => code.data!);
});

/** `headers: { X-Run-Id: "${RUN_ID}" }` beside a call, message, options or info step. */
export const headersSchema = z.record(headerName, textField({ en: 'a header value', zh: '头域值' }));

/** `- message: { from: caller, to: callee, body: hello }`: MESSAGE (RFC 3428), answered 2xx unless `status` says otherwise. */
export const messageStepSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  body: textField({ en: 'the message text', zh: '消息文本' }),
  contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+/, { error: localizedError(schemaProblem.mediaType()) }).optional(),
  status: expectedStatus.optional(),
});

/** `- options: { from: caller, to: callee }`: OPTIONS (RFC 3261 §11), a role or a URI. */
export const optionsStepSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  status: expectedStatus.optional(),
});

/** `- info: { from: caller, digits: "1#" }`: one INFO per digit as application/dtmf-relay on each connected call. */
export const infoStepSchema = z.strictObject({
  from: z.string(),
  digits: dtmfDigits,
  status: expectedStatus.optional(),
});

/**
 * `- transfer: { from: callee, to: target }`: blind transfer (REFER) of each connected call of
 * the role; `- transfer: { from: caller, call: first, attended: consult }`: attended transfer
 * of call `first` to the far end of call `consult` (REFER with Replaces). The reference pass
 * wants exactly one of `to` and `attended`.
 */
export const transferStepSchema = z.strictObject({
  from: z.string(),
  to: z.string().optional(),
  call: z.string().optional(),
  attended: z.string().optional(),
  status: expectedStatus.optional(),
});

/** `- register: { role: callee }`, with `password` to try a wrong one and `status` it must get. */
export const registerStepSchema = z.strictObject({
  role: z.string(),
  password: textField({ en: 'a password', zh: '密码' }).optional(),
  status: expectedStatus.optional(),
});

/** `- unregister: { role: callee }`: REGISTER with Expires 0 (RFC 3261 §10.2.2). */
export const unregisterStepSchema = z.strictObject({
  role: z.string(),
  status: expectedStatus.optional(),
});

type Headers = z.output<typeof headersSchema> | undefined;

function withHeaders(headers: Headers): { headers?: RequestHeaders } {
  return headers === undefined ? {} : { headers };
}

function withStatus(status: number[] | undefined): { status?: number[] } {
  return status === undefined ? {} : { status };
}

export function resolveMessageStep(raw: z.output<typeof messageStepSchema>, headers: Headers): MessageStep {
  return { kind: 'message', from: raw.from, to: raw.to, body: raw.body, contentType: raw.contentType ?? 'text/plain', ...withStatus(raw.status), ...withHeaders(headers) };
}

export function resolveOptionsStep(raw: z.output<typeof optionsStepSchema>, headers: Headers): OptionsStep {
  return { kind: 'options', from: raw.from, to: raw.to, ...withStatus(raw.status), ...withHeaders(headers) };
}

export function resolveInfoStep(raw: z.output<typeof infoStepSchema>, headers: Headers): InfoStep {
  return { kind: 'info', role: raw.from, digits: raw.digits.toUpperCase(), ...withStatus(raw.status), ...withHeaders(headers) };
}

export function resolveRegisterStep(raw: z.output<typeof registerStepSchema> | z.output<typeof unregisterStepSchema>, register: boolean): RegisterStep {
  const password = 'password' in raw ? raw.password : undefined;
  return { kind: 'register', role: raw.role, register, ...(password === undefined ? {} : { password }), ...withStatus(raw.status) };
}

export function resolveTransferStep(raw: z.output<typeof transferStepSchema>, headers: Headers): TransferStep {
  const target = raw.attended === undefined ? { to: raw.to ?? '' } : { attended: raw.attended };
  return { kind: 'transfer', role: raw.from, ...target, ...(raw.call === undefined ? {} : { call: raw.call }), ...withStatus(raw.status), ...withHeaders(headers) };
}
