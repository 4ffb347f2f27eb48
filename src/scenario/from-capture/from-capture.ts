import type { SipMessageEvent } from '../../events/types.js';
import { CaptureScenarioError, findCalls, type CapturedCall } from './captured-call.js';
import type { RtpStream } from './captured-media.js';
import { inferScenario, type InferredScenario, type TimeMode } from './infer-scenario.js';

/** Calls that overlap or follow each other make one scenario; a trunk's thousand calls do not. */
const MAX_CALLS_IN_ONE_SCENARIO = 10;

export interface FromCaptureOptions {
  /** Only this Call-ID; `all`: one scenario per call; undefined: every call in one scenario. */
  calls?: { callId: string } | 'all';
  /** Only the messages a sipbots capture tags with this lab case (`case=` in the frame comment). */
  caseId?: string;
  time: TimeMode;
  /** The capture's file name, for titles, ids and messages. */
  source: string;
  /** The capture's RTP streams (readRtpStreams), for media expectations. */
  streams?: readonly RtpStream[];
}

/**
 * Scenarios read off the SIP messages of a capture. Throws CaptureScenarioError (exit 2) when
 * there is nothing to make one from: no SIP, no INVITE, an unknown Call-ID, one side only.
 */
export function scenariosFromCapture(messages: readonly SipMessageEvent[], options: FromCaptureOptions): InferredScenario[] {
  if (messages.length === 0) throw new CaptureScenarioError(`${options.source} holds no SIP messages (is it a capture of SIP signaling? TLS cannot be read)`);
  const selected = options.caseId === undefined ? messages : messages.filter((m) => m.caseId === options.caseId);
  if (selected.length === 0) throw new CaptureScenarioError(`${options.source} holds no messages of case ${options.caseId}`);
  const calls = findCalls(selected);
  if (calls.length === 0) {
    const methods = [...new Set(selected.map((m) => m.method).filter((m) => m !== undefined))].join(', ');
    throw new CaptureScenarioError(`${options.source} holds no INVITE, so no call to make a scenario of (it has ${selected.length} SIP messages${methods ? `: ${methods}` : ''})`);
  }
  if (options.calls === undefined && calls.length > MAX_CALLS_IN_ONE_SCENARIO) {
    throw new CaptureScenarioError(
      `${options.source} holds ${calls.length} calls; one scenario plays at most ${MAX_CALLS_IN_ONE_SCENARIO}: pick one with --call (${calls.slice(0, 3).map((c) => c.callId).join(', ')}, ...) or write one scenario per call with --all`,
    );
  }
  const base = scenarioId(options.caseId ?? options.source);
  if (options.calls === 'all') return calls.map((call, i) => inferScenario([call], messages, { time: options.time, id: `${base}-${i + 1}`, source: options.source, ...(options.streams ? { streams: options.streams } : {}) }));
  const chosen = options.calls === undefined ? calls : [callNamed(calls, options.calls.callId, options.source)];
  return [inferScenario(chosen, messages, { time: options.time, id: base, source: options.source, ...(options.streams ? { streams: options.streams } : {}) })];
}

function callNamed(calls: readonly CapturedCall[], callId: string, source: string): CapturedCall {
  const call = calls.find((c) => c.callId === callId);
  if (call) return call;
  throw new CaptureScenarioError(`${source} has no INVITE call with Call-ID ${callId}; its calls: ${calls.map((c) => c.callId).join(', ')}`);
}

/** A kebab-case id from a file name or case id: `customer-drop.pcapng` -> `customer-drop`. */
export function scenarioId(text: string): string {
  const name = text.replace(/^.*[\\/]/, '').replace(/\.(?:pcapng|pcap|cap)(?:\.gz)?$/i, '');
  const id = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return id === '' ? 'from-capture' : /^[a-z0-9]/.test(id) ? id : `c-${id}`;
}
