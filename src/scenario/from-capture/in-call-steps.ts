import type { CallFacts } from './call-facts.js';
import { mediaEndpoint, type RtpStream } from './captured-media.js';
import type { InferredStep } from './inferred-step.js';

/** Digits closer together than this are one `dtmf` step. */
const DIGIT_GROUP_MS = 1000;
/** How long a bot's RFC 4733 event lasts on the wire, roughly (src/media/dtmf). */
const DIGIT_MS = 200;

interface Action {
  at: number;
  endAt: number;
  step: InferredStep;
  note: string;
}

export interface InCallActions {
  steps: InferredStep[];
  /** The digits each role is sent by dtmf steps, for expect.media. */
  digitsTo: Partial<Record<'caller' | 'callee', string>>;
  notes: string[];
}

/**
 * What happened inside the confirmed call, as steps after `waitFor: confirmed`: hold and
 * unhold (the re-INVITEs), dtmf (RFC 4733 events in the RTP, grouped when less than a second
 * apart), info (DTMF sent as INFO requests, RFC 6086, grouped the same way), each after a wait from the one before, then the caller's BYE as a `hangup` step
 * (a callee's BYE stays its `hangupAfter`). Undefined when the call had none of them.
 */
export function inCallSteps(f: CallFacts, streams: readonly RtpStream[], squeeze: (ms: number) => number): InCallActions | undefined {
  const actions: Action[] = [];
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
  actions.push(...infoDigitActions(f));
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

/**
 * INFO requests carrying a digit (application/dtmf-relay `Signal=`, or application/dtmf) that
 * the caller or callee sent in the dialog, as `info` steps: digits less than a second apart are
 * one step, which ends when the last one was answered.
 */
function infoDigitActions(f: CallFacts): Action[] {
  const actions: Action[] = [];
  for (const from of ['caller', 'callee'] as const) {
    const endpoint = from === 'caller' ? f.call.caller : f.call.callee;
    const infos = f.call.messages.filter((m) => m.method === 'INFO' && !m.retransmission && m.party === endpoint && infoDigit(m.raw) !== undefined);
    let group: { digits: string; at: number; last: number; answeredAt: number } | undefined;
    const flush = () => group && actions.push({ at: group.at, endAt: group.answeredAt, step: { kind: 'info', role: from, digits: group.digits }, note: `INFO digits ${group.digits} from the ${from} -> info` });
    for (const info of infos) {
      if (!group || info.at - group.last > DIGIT_GROUP_MS) {
        flush();
        group = { digits: '', at: info.at, last: info.at, answeredAt: info.at };
      }
      const answer = f.call.messages.find((m) => m.status !== undefined && m.status >= 200 && m.branch === info.branch && m.at >= info.at);
      group.digits += infoDigit(info.raw);
      group.last = info.at;
      group.answeredAt = answer?.at ?? info.at;
    }
    flush();
  }
  return actions;
}

/** The digit of an INFO body: `Signal=5` (application/dtmf-relay; 10 and 11 are * and #) or a bare `5` (application/dtmf). */
export function infoDigit(raw: string): string | undefined {
  const type = /^(?:Content-Type|c)\s*:\s*application\/(dtmf-relay|dtmf)\s*(?:;|\r?$)/im.exec(raw)?.[1]?.toLowerCase();
  if (type === undefined) return undefined;
  const split = raw.indexOf('\r\n\r\n');
  const body = split < 0 ? '' : raw.slice(split + 4);
  const signal = (type === 'dtmf-relay' ? /^\s*Signal\s*=\s*(\S+)/im.exec(body)?.[1] : body.trim()) ?? '';
  const digit = signal === '10' ? '*' : signal === '11' ? '#' : signal.toUpperCase();
  return /^[0-9A-D*#]$/.test(digit) ? digit : undefined;
}
