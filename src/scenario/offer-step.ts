import type { Bot } from '../bot/bot.js';
import type { OfferCodec, OfferDirection, OfferStep } from '../config/scenario-types.js';
import { codecOfFormat, parseSdp } from '../media/sdp.js';
import type { Clock } from '../util/clock.js';
import { judgeStatus } from './request-steps.js';
import { withTimeout } from './step-timing.js';

export interface OfferStepContext {
  botOf: (role: string) => Bot;
  clock: Clock;
  timeoutMs: number;
}

/** RFC 3264 §6.1: the directions an answer may take to an offer's. */
const ANSWERS: Readonly<Record<OfferDirection, readonly OfferDirection[]>> = {
  sendrecv: ['sendrecv', 'sendonly', 'recvonly', 'inactive'],
  sendonly: ['recvonly', 'inactive'],
  recvonly: ['sendonly', 'inactive'],
  inactive: ['inactive'],
};

/**
 * Plays a `reinvite` or `update` step: a new offer on every connected call of the role, then
 * judges the final response (the `status` written, or any 2xx) and, after a 2xx, the SDP answer:
 * it must take the offered codec and a direction RFC 3264 §6.1 allows, and match `answer` when
 * written. A miss fails the case with what was offered, expected and answered.
 */
export async function playOfferStep(step: OfferStep, context: OfferStepContext): Promise<void> {
  const bot = context.botOf(step.role);
  const offered = [step.codec, step.direction].filter(Boolean).join(' ');
  const what = `${step.method === 'INVITE' ? 'reinvite' : 'update'} by ${step.role} (${bot.name})${offered ? ` offering ${offered}` : ''}`;
  const connected = [...bot.calls.values()].filter((c) => c.state === 'confirmed');
  if (connected.length === 0) throw new Error(`${what}: no connected call`);
  const offer = { ...(step.codec === undefined ? {} : { codecs: [step.codec] }), ...(step.direction === undefined ? {} : { direction: step.direction }) };
  for (const call of connected) {
    const result = await withTimeout(call.renegotiate(step.method, offer), context.timeoutMs, context.clock, `${what} got no final response`);
    judgeStatus(what, step.status, result);
    if (result.status >= 300 || result.status < 200) continue;
    if (result.answer === undefined) throw new Error(`${what}: the ${result.status} carries no SDP answer (RFC 3264 §4)`);
    judgeAnswer(what, step, answerOf(result.answer, step.codec === undefined ? ['PCMU', 'PCMA'] : [step.codec]));
  }
}

interface Answer {
  /** The first format of the answer's audio line that is an offered codec. */
  codec: OfferCodec | undefined;
  formats: string;
  direction: OfferDirection;
}

function answerOf(sdp: string, offeredCodecs: readonly OfferCodec[]): Answer {
  const parsed = parseSdp(sdp);
  const audio = parsed.media.find((m) => m.media === 'audio' && m.port !== 0);
  if (!audio) return { codec: undefined, formats: 'no audio', direction: 'inactive' };
  const names = audio.formats.map((f) => codecOfFormat(audio.rtpmap, Number.parseInt(f, 10)) ?? audio.rtpmap.get(Number.parseInt(f, 10))?.split('/')[0] ?? f);
  const codec = names.find((n): n is OfferCodec => (offeredCodecs as readonly string[]).includes(n));
  return { codec, formats: names.join(' '), direction: audio.direction ?? parsed.sessionDirection ?? 'sendrecv' };
}

function judgeAnswer(what: string, step: OfferStep, answer: Answer): void {
  if (step.codec !== undefined && answer.codec !== step.codec) throw new Error(`${what}: the answer does not take ${step.codec} (it lists ${answer.formats})`);
  const offered = step.direction ?? 'sendrecv';
  if (!ANSWERS[offered].includes(answer.direction)) {
    throw new Error(`${what}: the answer says a=${answer.direction}, which RFC 3264 §6.1 does not allow in answer to a=${offered} (${ANSWERS[offered].join(' or ')})`);
  }
  const expected = step.answer;
  if (expected?.codec !== undefined && answer.codec !== expected.codec) throw new Error(`${what}: expected the answer to choose ${expected.codec}, it chose ${answer.codec ?? `none of the offered (${answer.formats})`}`);
  if (expected?.direction !== undefined && answer.direction !== expected.direction) throw new Error(`${what}: expected the answer to say a=${expected.direction}, it says a=${answer.direction}`);
}
