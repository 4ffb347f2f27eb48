import type { CallFacts } from './call-facts.js';
import { mediaEndpoint, type RtpStream } from './captured-media.js';
import type { InferredStep } from './inferred-step.js';

/** Digits closer together than this are one `dtmf` step. */
const DIGIT_GROUP_MS = 1000;
/** How long a bot's RFC 4733 event lasts on the wire, roughly (src/media/dtmf). */
const DIGIT_MS = 200;

export interface InCallActions {
  steps: InferredStep[];
  /** The digits each role is sent by dtmf steps, for expect.media. */
  digitsTo: Partial<Record<'caller' | 'callee', string>>;
  notes: string[];
}

/**
 * What happened inside the confirmed call, as steps after `waitFor: confirmed`: hold and
 * unhold (the re-INVITEs), dtmf (RFC 4733 events in the RTP, grouped when less than a second
 * apart), each after a wait from the one before, then the caller's BYE as a `hangup` step
 * (a callee's BYE stays its `hangupAfter`). Undefined when the call had none of them.
 */
export function inCallSteps(f: CallFacts, streams: readonly RtpStream[], squeeze: (ms: number) => number): InCallActions | undefined {
  const actions: Array<{ at: number; endAt: number; step: InferredStep; note: string }> = [];
  for (const h of f.holds) actions.push({ at: h.at, endAt: h.at, step: { kind: 'hold', role: h.by, hold: h.hold }, note: `${h.by} sent a re-INVITE with a=${h.hold ? 'sendonly' : 'sendrecv'} -> ${h.hold ? 'hold' : 'unhold'}: ${h.by}` });
  const digitsTo: InCallActions['digitsTo'] = {};
  for (const from of ['caller', 'callee'] as const) {
    const to = from === 'caller' ? 'callee' : 'caller';
    const target = mediaEndpoint(f.call.messages, from === 'caller' ? f.call.callee : f.call.caller);
    const stream = streams.find((s) => s.destination === target && s.digits !== '');
    if (!stream) continue;
    digitsTo[to] = stream.digits;
    let group = { digits: '', at: 0, last: -Infinity };
    // The step ends once the digits are out: the wait after it runs from the last one's end.
    const flush = () => group.digits && actions.push({ at: group.at, endAt: group.last + DIGIT_MS, step: { kind: 'dtmf', role: from, digits: group.digits }, note: `RFC 4733 digits ${group.digits} from the ${from} -> dtmf` });
    stream.digitTimes.forEach((at, i) => {
      if (at - group.last > DIGIT_GROUP_MS) {
        flush();
        group = { digits: '', at, last: at };
      }
      group.digits += stream.digits[i];
      group.last = at;
    });
    flush();
  }
  if (actions.length === 0 || f.callerConfirmedAt === undefined) return undefined;
  actions.sort((a, b) => a.at - b.at);
  const steps: InferredStep[] = [];
  let previous = f.callerConfirmedAt;
  const waitUntil = (at: number) => {
    if (at - previous >= 100) steps.push({ kind: 'wait', ms: squeeze(at - previous) });
    previous = Math.max(previous, at);
  };
  for (const action of actions) {
    waitUntil(action.at);
    steps.push(action.step);
    previous = Math.max(previous, action.endAt);
  }
  if (f.bye?.by === 'caller') {
    waitUntil(f.bye.at);
    steps.push({ kind: 'hangup', role: 'caller' });
  }
  return { steps, digitsTo, notes: actions.map((a) => a.note) };
}
