import { flowPatternReason, schemaProblem, type FieldMeaning, type ProblemText } from './problem-text.js';

/**
 * One expected message in a leg's flow, as seen by that party:
 *
 *     INVITE>        this party sent an INVITE
 *     <180           this party received a 180
 *     <2xx           received any 2xx
 *     <200/CANCEL    received a 200 whose CSeq method is CANCEL (not the INVITE's 200)
 *     100>?          sent a 100, or not: optional (a UAS may skip 100 Trying, RFC 3261 §8.2.6.1)
 *
 * The same compact tokens the runner writes for observed flows, so expected and observed can
 * be shown side by side.
 */
export interface FlowPattern {
  direction: 'out' | 'in';
  /** Request method, for a request pattern. */
  method?: string;
  /** Exact status, for a response pattern (`180`). */
  status?: number;
  /** Status class 1-6, for a class pattern (`2xx`). */
  statusClass?: number;
  /** CSeq method that qualifies a response (`CANCEL` in `<200/CANCEL`). */
  cseqMethod?: string;
  optional: boolean;
  /** The pattern as written, trimmed. */
  text: string;
}

/** Methods of RFC 3261 and its extensions; an unknown name is far more likely a typo than a real method. */
export const SIP_METHODS: readonly string[] = [
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'UPDATE',
  'INFO', 'REFER', 'NOTIFY', 'SUBSCRIBE', 'MESSAGE', 'PUBLISH',
];

export class FlowPatternError extends Error {
  override readonly name = 'FlowPatternError';
  /** The problem in every language the CLI speaks; `message` is its English. */
  readonly text: ProblemText;

  constructor(
    readonly pattern: string,
    reason: FieldMeaning,
  ) {
    const text = schemaProblem.flowPattern(pattern, reason);
    super(text.message);
    this.text = text;
  }

  get hint(): string | undefined {
    return this.text.hint;
  }
}

const TOKEN = /^(?:(?<method>[A-Z]+)|(?<status>[1-6]\d\d)|(?<cls>[1-6])xx)(?:\/(?<cseq>[A-Z]+))?$/;

export function parseFlowPattern(input: string): FlowPattern {
  const text = input.trim();
  let body = text;
  const optional = body.endsWith('?');
  if (optional) body = body.slice(0, -1);

  const sent = body.endsWith('>');
  const received = body.startsWith('<');
  if (sent === received) {
    throw new FlowPatternError(text, sent ? flowPatternReason.bothDirections : flowPatternReason.noDirection);
  }
  const token = sent ? body.slice(0, -1) : body.slice(1);
  const match = TOKEN.exec(token);
  if (match?.groups === undefined) {
    throw new FlowPatternError(text, flowPatternReason.notAToken(token));
  }
  const { method, status, cls, cseq } = match.groups;
  for (const name of [method, cseq]) {
    if (name !== undefined && !SIP_METHODS.includes(name)) {
      throw new FlowPatternError(text, flowPatternReason.unknownMethod(name));
    }
  }
  if (method !== undefined && cseq !== undefined) {
    throw new FlowPatternError(text, flowPatternReason.requestWithCseq);
  }
  return {
    direction: sent ? 'out' : 'in',
    ...(method === undefined ? {} : { method }),
    ...(status === undefined ? {} : { status: Number(status) }),
    ...(cls === undefined ? {} : { statusClass: Number(cls) }),
    ...(cseq === undefined ? {} : { cseqMethod: cseq }),
    optional,
    text,
  };
}
