import type { SipMessageEvent } from '../../events/types.js';
import { callFacts, type CallFacts } from './call-facts.js';
import type { CapturedCall } from './captured-call.js';
import { explainInferences } from './inference-notes.js';
import { unreproducible } from './unreproducible.js';
import type { RtpStream } from './captured-media.js';
import { inferMedia, type InferredMedia } from './media-expectation.js';
import { inCallSteps } from './in-call-steps.js';
import type { InferredStep } from './inferred-step.js';

/** `real` keeps the captured timings; `compact` squeezes long waits (above 2 s, a tenth of the rest). */
export type TimeMode = 'real' | 'compact';

export interface InferOptions {
  time: TimeMode;
  /** The scenario id (kebab-case). */
  id: string;
  /** Where the capture came from, for the title. */
  source: string;
  /** The capture's RTP streams, for expect.media and the bots' tones. */
  streams?: readonly RtpStream[];
}

export interface InferredBehaviour {
  onInvite?: 'answer' | 'ring' | 'reject' | 'timeout';
  ringForMs?: number;
  rejectWith?: number;
  hangupAfterMs?: number;
  busyWhenInCall?: boolean;
  /** 183 with SDP and a tone this long before the final response (instead of ringFor). */
  earlyMediaMs?: number;
  rel100?: 'required';
}

export type { InferredStep } from './inferred-step.js';

export interface InferredBot {
  name: string;
  user: string;
  domain: string;
  transport: string;
  /** The environment variable the password placeholder names. */
  passwordVariable: string;
  /** The tone it sent in the capture. */
  tone?: number;
}

/** A scenario as read off a capture, before it is written as YAML. */
export interface InferredScenario {
  id: string;
  title: string;
  /** Call-IDs of the captured calls it replays (`source.calls`). */
  calls: string[];
  /** Role to bot name; `caller` and `callee` are the compared call's. */
  roles: Record<string, string>;
  behaviour: Record<string, InferredBehaviour>;
  proxy: { inviteTimeoutMs?: number; cancelledInviteStatus?: 408 };
  steps: InferredStep[];
  expect: { call: string; outcome: 'answered' | 'rejected' | 'cancelled' | 'timeout'; status: number; legs: Record<string, string[]>; media: Record<string, InferredMedia> };
  bots: InferredBot[];
  /** What was inferred from which messages, for the header comment. */
  inferences: string[];
  /** What the capture shows that the scenario cannot reproduce. */
  notReproduced: string[];
}

/** The embedded proxy's INVITE timer (fr_inv_timer) when a scenario sets none. */
const EMBEDDED_PROXY_INVITE_TIMEOUT_MS = 3000;

/**
 * Reads a scenario off the calls of a capture. The last call to start is the compared one
 * (`expect.call`, roles `caller` and `callee`); every other party gets a role named after its
 * bot. Steps replay the calls in the order they started: a call step waits for the state its
 * call had reached when the next one began, and a caller's hang-up becomes the call's own timer
 * when nothing else happened first, else a `hangup` step in its place.
 */
export function inferScenario(calls: readonly CapturedCall[], all: readonly SipMessageEvent[], options: InferOptions): InferredScenario {
  const facts = calls.map(callFacts);
  const main = facts.at(-1)!;
  const squeeze = (ms: number) => roundMs(options.time === 'compact' && ms > 2000 ? 2000 + (ms - 2000) / 10 : ms);
  const notReproduced: string[] = [];
  const bots = new Map<string, InferredBot>();
  const botOf = (endpoint: string, user: string, call: CapturedCall) => {
    const existing = [...bots.values()].find((b) => b.user === user);
    if (existing) return existing.name;
    const name = botName(user, new Set(bots.keys()));
    const transport = all.find((m) => m.party === endpoint)?.transport ?? 'udp';
    bots.set(name, { name, user, domain: call.domain, transport: transport === 'ws' ? 'ws' : transport, passwordVariable: `${name.toUpperCase().replace(/-/g, '_')}_PASSWORD` });
    return name;
  };
  // A call the server answered itself goes to the To user's URI: no bot plays that user (the
  // server did not know it, or found it unregistered), and the callee role names the caller's bot.
  const callerBot = botOf(main.call.caller, main.call.fromUser, main.call);
  const roles: Record<string, string> = { caller: callerBot, callee: main.call.answeredByServer ? callerBot : botOf(main.call.callee, main.call.toUser, main.call) };
  const roleOf = (endpoint: string, user: string, call: CapturedCall) => {
    const bot = botOf(endpoint, user, call);
    if (roles.caller === bot) return 'caller';
    if (roles.callee === bot) return 'callee';
    roles[bot] = bot;
    return bot;
  };
  // The compared call names its parties caller and callee even when one bot plays both (a self-call).
  const parts = facts.map((f) => {
    const to = f.call.answeredByServer ? `sip:${f.call.toUser}@${f.call.domain}` : f === main ? 'callee' : roleOf(f.call.callee, f.call.toUser, f.call);
    return { from: f === main ? 'caller' : roleOf(f.call.caller, f.call.fromUser, f.call), to };
  });

  const behaviour: Record<string, InferredBehaviour> = {};
  const proxy: InferredScenario['proxy'] = {};
  let longestRingMs = 0;
  for (const f of facts) {
    const role = parts[facts.indexOf(f)]!.to;
    if (f.call.answeredByServer) {
      notReproduced.push(...serverAnswerNotes(f));
      continue;
    }
    const inferred = calleeBehaviour(f, facts, squeeze);
    behaviour[role] = mergeBehaviour(behaviour[role], inferred, role, notReproduced);
    if (f.calleeRangAt !== undefined) longestRingMs = Math.max(longestRingMs, squeeze((f.calleeFinal?.at ?? f.calleeCancelledAt ?? f.endAt) - f.calleeRangAt));
    for (const p of f.calleeOtherProvisionals) notReproduced.push(`${p.status}${p.status === 183 ? ' without SDP' : ''} from the callee of call ${f.call.callId}: a bot sends only 100, 180 and 183 with SDP (earlyMedia); left out of the legs`);
    const proxyTimedOut = f.callerFinal?.status === 408 && f.calleeFinal?.status !== 408 && f.cancelAt === undefined && f.calleeCancelledAt !== undefined;
    if (proxyTimedOut) proxy.inviteTimeoutMs = squeeze(f.calleeCancelledAt! - (f.calleeFirstProvisionalAt ?? f.calleeInviteAt ?? f.startAt));
    if (f.cancelAt !== undefined && f.callerFinal?.status === 408 && f.calleeFinal?.status !== 408) proxy.cancelledInviteStatus = 408;
    if (f.bye?.by === 'other') notReproduced.push(`BYE of call ${f.call.callId} sent by ${f.bye.sender}, neither caller nor callee (a B2BUA or proxy ending the call): not played`);
    if (f.call.otherBranches.length > 0) notReproduced.push(`call ${f.call.callId} was forked to ${f.call.otherBranches.join(', ')} as well: only the branch to ${f.call.callee} is played`);
  }
  if (proxy.inviteTimeoutMs === undefined && longestRingMs + 1000 > EMBEDDED_PROXY_INVITE_TIMEOUT_MS) proxy.inviteTimeoutMs = roundMs(longestRingMs + 5000);

  let steps = callSteps(facts, parts, squeeze);
  // Hold, resume and digits inside the call become steps when the capture holds one call.
  const inCall = facts.length === 1 ? inCallSteps(main, options.streams ?? [], squeeze) : undefined;
  if (inCall) {
    const call = steps.find((step) => step.kind === 'call')!;
    delete call.hangupAfterMs;
    call.waitFor = 'confirmed';
    steps = [call, ...inCall.steps];
  }
  const mainName = (steps.filter((s) => s.kind === 'call') as Array<{ name: string }>).at(-1)!.name;
  const legs: Record<string, string[]> = { caller: main.callerLeg };
  if (main.calleeLeg) legs.callee = main.calleeLeg;
  else if (!main.call.answeredByServer) notReproduced.push(`call ${main.call.callId} is a self-call (${main.call.caller} called itself): only the caller's leg is compared`);
  const origin = all[0]?.at ?? main.startAt;
  const callNames = steps.flatMap((s) => (s.kind === 'call' ? [s.name] : []));
  const inferences = explainInferences(facts, parts.map((p, i) => ({ ...p, name: callNames[i]! })), origin);
  notReproduced.push(...unreproducible(calls, origin, { holdsPlayed: inCall !== undefined, infoDigitsPlayed: inCall !== undefined }));
  const heard = inferMedia(main.call, options.streams ?? [], squeeze, inCall?.digitsTo);
  if (inCall) inferences.push(...inCall.notes.map((note) => `main: ${note}`));
  inferences.push(...heard.notes.map((note) => `main: ${note}`));
  notReproduced.push(...heard.unplayed);
  for (const role of ['caller', 'callee'] as const) {
    const tone = heard.tones[role];
    const bot = bots.get(roles[role]!);
    if (tone !== undefined && bot) bot.tone = tone;
  }
  const status = main.callerFinal?.status ?? 0;
  return {
    id: options.id,
    title: `${main.call.fromUser} calls ${main.call.toUser}, as captured in ${options.source}`,
    calls: calls.map((c) => c.callId),
    roles,
    behaviour,
    proxy,
    steps,
    expect: { call: mainName, outcome: outcomeOf(status), status, legs, media: heard.media },
    bots: [...bots.values()],
    inferences,
    notReproduced,
  };
}

/**
 * A call the server answered itself is played by calling the To user's URI, a user no bot
 * registers: the embedded proxy answers such a call 404 (RFC 3261 §16.5, as Kamailio's
 * lookup does); another status needs a server that answers it so.
 */
function serverAnswerNotes(f: CallFacts): string[] {
  const status = f.callerFinal?.status;
  if (status === undefined || status === 404) return [];
  return [`the server answered call ${f.call.callId} ${status} itself: the replay calls sip:${f.call.toUser}@${f.call.domain}, which the embedded proxy answers 404 (a user it does not know); ${status} needs a server that answers so`];
}

/** What the callee did with one INVITE, as a behaviour: ring, answer, reject, time out, or busy. */
function calleeBehaviour(f: CallFacts, all: readonly CallFacts[], squeeze: (ms: number) => number): InferredBehaviour {
  const final = f.calleeFinal;
  const arrived = f.calleeInviteAt ?? f.startAt;
  // Early media takes the place of ringFor: the 183 goes out at once, the final response after it.
  const early = f.calleeEarlyMedia;
  const rel100 = early?.reliable ? { rel100: 'required' as const } : {};
  if (!final) return early ? { onInvite: 'ring', earlyMediaMs: squeeze(f.endAt - early.at), ...rel100 } : { onInvite: 'ring' };
  const ringing = early ? { earlyMediaMs: squeeze(final.at - early.at), ...rel100 } : { ringForMs: squeeze(final.at - arrived) };
  if (final.status >= 200 && final.status < 300) {
    const hangup = f.bye?.by === 'callee' && f.calleeConfirmedAt !== undefined ? { hangupAfterMs: squeeze(f.bye.at - f.calleeConfirmedAt) } : {};
    return { onInvite: 'answer', ...ringing, ...hangup };
  }
  if (final.status === 487 && f.calleeCancelledAt !== undefined) return early ? { onInvite: 'ring', earlyMediaMs: squeeze(final.at - early.at), ...rel100 } : { onInvite: 'ring' };
  if (final.status === 408) return { onInvite: 'timeout', ...ringing };
  // A busy phone does not ring: 486 at once while already in a call (its own, in a self-call).
  const busy = (final.status === 486 || final.status === 600) && f.calleeRangAt === undefined && inAnotherCall(f, all);
  if (busy) return { busyWhenInCall: true };
  return { onInvite: 'reject', ...ringing, rejectWith: final.status };
}

function inAnotherCall(f: CallFacts, all: readonly CallFacts[]): boolean {
  const endpoint = f.call.callee;
  const at = f.calleeInviteAt ?? f.startAt;
  if (f.call.caller === endpoint) return true;
  return all.some((o) => o !== f && (o.call.caller === endpoint || o.call.callee === endpoint) && o.startAt <= at && o.endAt >= at);
}

/** One role's behaviour over several calls: a busy answer adds `busyWhenInCall`; two different behaviours keep the first. */
function mergeBehaviour(previous: InferredBehaviour | undefined, next: InferredBehaviour, role: string, notes: string[]): InferredBehaviour {
  if (!previous) return next;
  if (next.busyWhenInCall && next.onInvite === undefined) return { ...previous, busyWhenInCall: true };
  if (previous.busyWhenInCall && previous.onInvite === undefined) return { ...next, busyWhenInCall: true };
  if (JSON.stringify(previous) !== JSON.stringify(next)) notes.push(`the ${role} role handled its calls differently (${JSON.stringify(previous)} then ${JSON.stringify(next)}): the first is played for all`);
  return previous;
}

/**
 * Call steps in the order the calls started. A caller's CANCEL or BYE is the call step's timer
 * (`cancelAfter` from the first INVITE, `hangupAfter` from the ACK) unless another call started
 * before it: then the call step waits only for the state it had reached, and a `hangup` step
 * follows at the place in the sequence where the hang-up happened.
 */
function callSteps(facts: readonly CallFacts[], parts: ReadonlyArray<{ from: string; to: string }>, squeeze: (ms: number) => number): InferredStep[] {
  interface Pending {
    at: number;
    role: string;
  }
  const steps: InferredStep[] = [];
  const pendingHangups: Pending[] = [];
  let lastActionAt = facts[0]?.startAt ?? 0;
  const flushHangupsBefore = (at: number) => {
    for (const hangup of pendingHangups.filter((p) => p.at < at).sort((a, b) => a.at - b.at)) {
      steps.push({ kind: 'hangup', role: hangup.role });
      lastActionAt = hangup.at;
      pendingHangups.splice(pendingHangups.indexOf(hangup), 1);
    }
  };
  facts.forEach((f, index) => {
    flushHangupsBefore(f.startAt);
    const next = facts[index + 1];
    const gap = f.startAt - lastActionAt;
    if (steps.length > 0 && gap >= 200 && !pendingHangups.length) steps.push({ kind: 'wait', ms: squeeze(gap) });
    const role = parts[index]!.from;
    const step: InferredStep & { kind: 'call' } = { kind: 'call', name: index === facts.length - 1 ? 'main' : `call-${index + 1}`, from: role, to: parts[index]!.to };
    const callerHangupAt = f.bye?.by === 'caller' ? f.bye.at : f.cancelAt;
    const overlapped = next !== undefined && next.startAt < f.endAt;
    if (callerHangupAt !== undefined && (!next || callerHangupAt < next.startAt)) {
      if (f.cancelAt !== undefined && f.bye === undefined) step.cancelAfterMs = squeeze(f.cancelAt - f.startAt);
      else if (f.callerConfirmedAt !== undefined) step.hangupAfterMs = squeeze(f.bye!.at - f.callerConfirmedAt);
    } else if (callerHangupAt !== undefined) {
      pendingHangups.push({ at: callerHangupAt, role });
    }
    // A callee that requires 100rel answers 421 to an INVITE that does not offer it.
    if (f.calleeEarlyMedia?.reliable) step.rel100 = f.call.messages.some((m) => m.party === f.call.caller && m.method === 'INVITE' && /^Require\s*:[^\r\n]*\b100rel\b/im.test(m.raw)) ? 'required' : 'supported';
    if (overlapped) step.waitFor = f.callerConfirmedAt !== undefined && f.callerConfirmedAt <= next.startAt ? 'confirmed' : 'ringing';
    steps.push(step);
    lastActionAt = overlapped ? next.startAt : f.endAt;
  });
  flushHangupsBefore(Number.POSITIVE_INFINITY);
  return steps;
}

export function outcomeOf(status: number): 'answered' | 'rejected' | 'cancelled' | 'timeout' {
  if (status >= 200 && status < 300) return 'answered';
  if (status === 487) return 'cancelled';
  if (status === 408) return 'timeout';
  return 'rejected';
}

/** Whole tenths of a second: a capture's jitter is no part of the scenario. */
function roundMs(ms: number): number {
  return Math.max(0, Math.round(ms / 100) * 100);
}

/** A bots-file name (letters, digits, - and _, starting with a letter) for a SIP user part. */
function botName(user: string, taken: ReadonlySet<string>): string {
  let base = user.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z]+/, '');
  if (base === '') base = `user-${user.replace(/[^A-Za-z0-9]/g, '')}`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}
