import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../util/clock.js';
import { getHeader, getHeaderValues } from '../message/headers.js';
import { serializeSipMessage } from '../message/serialize-message.js';
import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message.js';
import { tryBranchOf, tryCSeqOf, tryParseSipMessage } from '../message/tolerant-read.js';

/** A 2xx that came after the INVITE had already failed, and what was done about it. */
export interface LateAnswer {
  callId: string;
  /** `200 OK` */
  answer: string;
  /** The final response the call had already ended with: `408 Request Timeout`. */
  after: string;
}

export interface LateAnswersOptions {
  /** Sends a request we built to the next hop, as the user agent's own requests go. */
  send: (raw: string) => void;
  clock: Clock;
  /** How long after the failure a 2xx is still taken as a late answer (64·T1, Timer B's span). */
  lingerMs: number;
  onLateAnswer: (answer: LateAnswer) => void;
}

interface SentInvite {
  invite: SipRequest;
  seq: number;
  /** The final non-2xx it got: `408 Request Timeout`. */
  failed?: string;
  forget?: TimerHandle;
  /** ACK already built per To-tag: a retransmitted 2xx gets the same ACK again (§13.2.2.4). */
  acks: Map<string, string>;
}

/**
 * The late 2xx that sip.js drops. A proxy forwards every 2xx upstream, even after it answered
 * the INVITE itself (RFC 3261 §16.7 step 5): when its INVITE timer fires as the callee answers,
 * the caller gets 408 and then 200. sip.js's INVITE client transaction, already completed by
 * the 408, discards that 200 (RFC 6026 §8.4), which leaves the callee in a call nobody
 * acknowledged. RFC 3261 §13.2.2.4 wants the UAC core to ACK every 2xx and to end with BYE a
 * dialog it does not want: this does both, below sip.js, and reports the late answer.
 */
export class LateAnswers {
  private readonly invites = new Map<string, SentInvite>();
  /** Branches of the BYEs sent here: their responses stop here too (sip.js knows no such request). */
  private readonly byes = new Set<string>();

  constructor(private readonly options: LateAnswersOptions) {}

  /** Every message the user agent sends; initial INVITEs are remembered by Call-ID. */
  sent(raw: string): void {
    if (!raw.startsWith('INVITE ')) return;
    const invite = tryParseSipMessage(raw);
    if (invite?.kind !== 'request' || hasToTag(invite)) return;
    const callId = getHeader(invite, 'call-id');
    const seq = tryCSeqOf(invite)?.seq;
    if (callId === undefined || seq === undefined) return;
    this.forget(callId);
    this.invites.set(callId, { invite, seq, acks: new Map() });
  }

  /** Every message received; true when it was handled here and sip.js must not see it. */
  received(raw: string): boolean {
    if (!raw.startsWith('SIP/2.0')) return false;
    const response = tryParseSipMessage(raw);
    if (response?.kind !== 'response') return false;
    const cseq = tryCSeqOf(response);
    if (cseq?.method === 'BYE') return this.byes.has(tryBranchOf(response) ?? '');
    const sent = this.invites.get(getHeader(response, 'call-id') ?? '');
    if (cseq?.method !== 'INVITE' || !sent || cseq.seq !== sent.seq || response.status < 200) return false;
    if (response.status >= 300) {
      if (sent.failed === undefined) this.failed(sent, response);
      return false;
    }
    if (sent.failed === undefined) return false;
    this.answerLate(sent, response);
    return true;
  }

  private failed(sent: SentInvite, response: SipResponse): void {
    sent.failed = `${response.status} ${response.reason}`;
    const callId = getHeader(sent.invite, 'call-id')!;
    sent.forget = this.options.clock.setTimeout(() => this.invites.delete(callId), this.options.lingerMs);
  }

  private answerLate(sent: SentInvite, response: SipResponse): void {
    const tag = toTagOf(response) ?? '';
    const known = sent.acks.get(tag);
    if (known !== undefined) {
      this.options.send(known);
      return;
    }
    const ack = serializeSipMessage(dialogRequest('ACK', sent, response));
    sent.acks.set(tag, ack);
    this.options.send(ack);
    const bye = dialogRequest('BYE', sent, response);
    this.byes.add(tryBranchOf(bye)!);
    this.options.send(serializeSipMessage(bye));
    this.options.onLateAnswer({ callId: getHeader(sent.invite, 'call-id')!, answer: `${response.status} ${response.reason}`, after: sent.failed! });
  }

  private forget(callId: string): void {
    const old = this.invites.get(callId);
    if (old?.forget !== undefined) this.options.clock.clearTimeout(old.forget);
    this.invites.delete(callId);
  }
}

/**
 * ACK (CSeq of the INVITE) or BYE (the next CSeq) in the dialog the 2xx made (RFC 3261 §12.1.2,
 * §12.2.1.1): remote target from its Contact, route set from its Record-Route reversed (a strict
 * router first in it takes the Request-URI), From from our INVITE, To with the callee's tag.
 */
function dialogRequest(method: 'ACK' | 'BYE', sent: SentInvite, response: SipResponse): SipRequest {
  const target = uriIn(getHeaderValues(response, 'contact')[0]) ?? sent.invite.uri;
  const routes = getHeaderValues(response, 'record-route').reverse();
  const strict = routes.length > 0 && !/;\s*lr\b/i.test(uriIn(routes[0]) ?? '');
  const uri = strict ? uriIn(routes[0])! : target;
  const routeSet = strict ? [...routes.slice(1), `<${target}>`] : routes;
  const via = getHeaderValues(sent.invite, 'via')[0]!.replace(/;\s*branch=[^;,\s]+/i, '') + `;branch=z9hG4bK${randomBytes(8).toString('hex')}`;
  const request: SipRequest = { kind: 'request', method, uri, headers: [], body: '' };
  const add = (key: string, name: string, value: string) => request.headers.push({ key, name, value });
  add('via', 'Via', via);
  add('max-forwards', 'Max-Forwards', '70');
  for (const route of routeSet) add('route', 'Route', route);
  add('from', 'From', getHeader(sent.invite, 'from') ?? '');
  add('to', 'To', getHeader(response, 'to') ?? '');
  add('call-id', 'Call-ID', getHeader(sent.invite, 'call-id') ?? '');
  add('cseq', 'CSeq', `${method === 'ACK' ? sent.seq : sent.seq + 1} ${method}`);
  add('content-length', 'Content-Length', '0');
  return request;
}

/** The URI inside `<…>` of a name-addr, or a bare addr-spec without its parameters. */
function uriIn(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bracketed = /<([^>]+)>/.exec(value);
  return bracketed ? bracketed[1] : value.split(';')[0]!.trim() || undefined;
}

function hasToTag(message: SipMessage): boolean {
  return toTagOf(message) !== undefined;
}

function toTagOf(message: SipMessage): string | undefined {
  return /;\s*tag=([^;\s>]+)/i.exec(getHeader(message, 'to') ?? '')?.[1];
}
