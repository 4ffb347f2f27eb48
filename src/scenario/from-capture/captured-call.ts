import type { SipMessageEvent } from '../../events/types.js';
import { getHeader, getHeaderValues, tagOf, uriOf } from '../../sip/message/headers.js';
import { parseSipMessage } from '../../sip/message/parse-message.js';
import { formatEndpoint } from '../../sip/transport/types.js';

/**
 * One INVITE call found in a capture, with who played which part on the wire:
 *
 *     caller ──INVITE──> proxy ──INVITE──> ... ──INVITE──> callee
 *
 * The caller is the endpoint that sent the first dialog-creating INVITE (no To tag); each hop
 * after it is an endpoint that received an INVITE of the call and sent one on; the callee is
 * the last one, which answered instead of forwarding. A capture reader names every message by
 * its sender's `address:port` (`party`), so a party here is such an endpoint.
 */
export interface CapturedCall {
  callId: string;
  /** Every message of the Call-ID in capture order, repeats flagged `retransmission`. */
  messages: SipMessageEvent[];
  caller: string;
  callee: string;
  /** Endpoints between them that forwarded the INVITE, in order. */
  proxies: string[];
  /** Endpoints the INVITE was also forked to (parallel or serial forking), besides the callee. */
  otherBranches: string[];
  /**
   * The server answered the INVITE itself (404, 480, 403...) and reached no callee: `callee` is
   * then the server's endpoint, whose hops are the server's, not a party's to play.
   */
  answeredByServer: boolean;
  /** User parts of the From and To URIs of the first INVITE. */
  fromUser: string;
  toUser: string;
  /** Host of the From URI (the caller's domain). */
  domain: string;
  /** Capture time of the first INVITE. */
  startedAt: number;
}

/** The capture cannot make a scenario: it holds no call, only part of one, or no SIP. Exit 2. */
export class CaptureScenarioError extends Error {
  override readonly name = 'CaptureScenarioError';
}

/**
 * The INVITE calls of a capture (Call-IDs with an initial INVITE), in the order they started.
 * Throws CaptureScenarioError for a call seen from one side only: requests and no response,
 * or a relayed INVITE whose sender's own INVITE is not in the capture.
 */
export function findCalls(messages: readonly SipMessageEvent[]): CapturedCall[] {
  const byCallId = new Map<string, SipMessageEvent[]>();
  for (const message of markRetransmissions(messages)) {
    if (message.callId === undefined) continue;
    const list = byCallId.get(message.callId) ?? [];
    list.push(message);
    byCallId.set(message.callId, list);
  }
  const registrars = new Set(messages.filter((m) => m.status !== undefined && cseqMethodOf(m) === 'REGISTER').map((m) => m.party));
  const calls: CapturedCall[] = [];
  for (const [callId, list] of byCallId) {
    const initial = list.filter(isInitialInvite);
    if (initial.length === 0) continue;
    calls.push(traceCall(callId, list, initial, registrars));
  }
  return calls.sort((a, b) => a.startedAt - b.startedAt);
}

function traceCall(callId: string, messages: SipMessageEvent[], initial: SipMessageEvent[], registrars: ReadonlySet<string>): CapturedCall {
  const first = initial[0]!;
  const caller = first.party;
  const parsed = parseSipMessage(first.raw);
  const from = getHeader(parsed, 'from') ?? '';
  const to = getHeader(parsed, 'to') ?? '';
  if (getHeaderValues(parsed, 'via').length > 1 && !initial.some((m) => endpointOf(m.remote) === caller)) {
    throw new CaptureScenarioError(
      `call ${callId}: only one side of the call is in the capture: the first INVITE came from ${caller} with ${getHeaderValues(parsed, 'via').length} Via headers (a proxy relaying it), and the INVITE that proxy received is missing; capture on an interface that sees both hops`,
    );
  }
  const answered = messages.some((m) => m.status !== undefined && m.party !== caller);
  if (!answered) {
    throw new CaptureScenarioError(
      `call ${callId}: only one side of the call is in the capture: ${caller} sent INVITE but no response came back; capture both directions (tcpdump without a src/dst filter)`,
    );
  }
  const hops = [caller];
  const branches = new Set<string>();
  let current = caller;
  let at = first.at;
  while (hops.length < 16) {
    const sent = initial.filter((m) => m.party === current && m.at >= at);
    // The INVITE may come back to the caller (a self-call), once, as the last hop.
    const targets = [...new Set(sent.map((m) => endpointOf(m.remote)))].filter((t) => (t === caller ? current !== caller : !hops.includes(t)));
    if (targets.length === 0) break;
    // A fork: follow the branch that sent a final response, note the others.
    const chosen = targets.find((t) => messages.some((m) => m.party === t && m.status !== undefined && m.status >= 200)) ?? targets[0]!;
    for (const t of targets) if (t !== chosen) branches.add(t);
    hops.push(chosen);
    if (chosen === caller) break;
    at = sent.find((m) => endpointOf(m.remote) === chosen)!.at;
    current = chosen;
  }
  const callee = hops.at(-1)!;
  if (hops.length === 2 && isRecordRoutedBy(messages, caller, callee) && !messages.some((m) => m.party === callee && m.method === 'INVITE')) {
    throw new CaptureScenarioError(
      `call ${callId}: only one side of the call is in the capture: ${callee} Record-Routes the call (a proxy) but its INVITE on to the callee is missing; capture on an interface that sees both hops`,
    );
  }
  return {
    callId,
    messages,
    caller,
    callee,
    proxies: hops.slice(1, -1),
    otherBranches: [...branches],
    answeredByServer: hops.length === 2 && isServerAnswering(messages, caller, callee, registrars),
    fromUser: userOf(from) ?? 'caller',
    toUser: userOf(to) ?? userOf(parsed.kind === 'request' ? parsed.uri : '') ?? 'callee',
    domain: hostOf(from) ?? 'localhost',
    startedAt: first.at,
  };
}

/**
 * The first hop answered the INVITE itself instead of a callee: a server, which is the
 * registrar of the capture's REGISTERs or challenged the caller's INVITE (401/407, RFC 3261
 * §22.3), and sent the caller no ringing and no answer (a proxy relaying those would show a
 * callee behind it: that capture is one side of a call and refused by traceCall).
 */
function isServerAnswering(messages: readonly SipMessageEvent[], caller: string, peer: string, registrars: ReadonlySet<string>): boolean {
  const toCaller = messages.filter((m) => m.party === peer && endpointOf(m.remote) === caller && m.status !== undefined && cseqMethodOf(m) === 'INVITE');
  const challenged = toCaller.some((m) => m.status === 401 || m.status === 407);
  if (!registrars.has(peer) && !challenged) return false;
  return !toCaller.some((m) => (m.status! > 100 && m.status! < 300)) && !messages.some((m) => m.party === peer && m.method === 'INVITE');
}

function cseqMethodOf(m: SipMessageEvent): string | undefined {
  return m.cseq?.trim().split(/\s+/)[1]?.toUpperCase();
}

/**
 * A proxy on the path puts itself in Record-Route (RFC 3261 §16.6 step 4); a UAS only copies
 * the Record-Route of the request into its responses (§12.1.1). So a response from the peer
 * with a Record-Route the caller's INVITE did not carry means a proxy is the peer or behind it.
 */
function isRecordRoutedBy(messages: readonly SipMessageEvent[], caller: string, peer: string): boolean {
  const invite = messages.find((m) => m.party === caller && m.method === 'INVITE' && m.parseError === undefined);
  if (invite && getHeaderValues(parseSipMessage(invite.raw), 'record-route').length > 0) return false;
  return messages.some(
    (m) => m.party === peer && endpointOf(m.remote) === caller && m.status !== undefined && m.parseError === undefined && getHeaderValues(parseSipMessage(m.raw), 'record-route').length > 0,
  );
}

/**
 * The same message from the same sender to the same receiver again (start line, CSeq and
 * top Via branch equal): a UDP retransmission (RFC 3261 §17.1.1.2, §17.2.1). Copies are
 * returned with `retransmission: true`, the first stays as it was.
 */
export function markRetransmissions(messages: readonly SipMessageEvent[]): SipMessageEvent[] {
  const seen = new Set<string>();
  return messages.map((m) => {
    const key = [m.party, endpointOf(m.remote), m.startLine, m.cseq, m.branch, m.callId].join('|');
    if (!seen.has(key)) {
      seen.add(key);
      return m;
    }
    return { ...m, retransmission: true };
  });
}

/**
 * One endpoint's view of the call: what it sent as `out`, what it received as `in`, with
 * `party` set to the endpoint, the shape the runner's leg extraction (`legMessages`) reads.
 */
export function viewOf(messages: readonly SipMessageEvent[], endpoint: string): SipMessageEvent[] {
  const view: SipMessageEvent[] = [];
  for (const m of messages) {
    if (m.party === endpoint) view.push({ ...m, party: endpoint, direction: 'out' });
    if (endpointOf(m.remote) === endpoint) view.push({ ...m, party: endpoint, direction: 'in', local: m.remote, remote: m.local });
  }
  return view;
}

export function endpointOf(endpoint: SipMessageEvent['remote']): string {
  return formatEndpoint(endpoint);
}

function isInitialInvite(m: SipMessageEvent): boolean {
  if (m.method !== 'INVITE' || m.retransmission || m.parseError !== undefined) return false;
  return tagOf(getHeader(parseSipMessage(m.raw), 'to')) === undefined;
}

export function userOf(nameAddr: string): string | undefined {
  return /^(?:sips?|tel):(?:([^@;>]+)@)?/i.exec(uriOf(nameAddr))?.[1] ?? (/^tel:([^;>]+)/i.exec(uriOf(nameAddr))?.[1] || undefined);
}

function hostOf(nameAddr: string): string | undefined {
  return /^sips?:(?:[^@]*@)?(\[[^\]]+\]|[^;:?>]+)/i.exec(uriOf(nameAddr))?.[1];
}
