/**
 * SIPp-style message templates: text with `[keyword]` placeholders, split once into literal
 * parts and keyword slots, then rendered per message by concatenation. Nothing is parsed or
 * serialized per message; Content-Length of a fixed body is baked in when compiling.
 */
import { isIPv6 } from 'node:net';
import type { ScannedMessage } from './sip-scan.js';
export class MessageTemplate<K extends string> {
  private readonly literals: string[] = [];
  private readonly keys: K[] = [];

  constructor(text: string, keywords: readonly K[]) {
    const pattern = /\[([a-z_]+)\]/g;
    let last = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      const key = match[1] as K;
      if (!keywords.includes(key)) throw new Error(`template keyword [${key}] is not one of ${keywords.join(', ')}`);
      this.literals.push(text.slice(last, match.index));
      this.keys.push(key);
      last = match.index + match[0].length;
    }
    this.literals.push(text.slice(last));
  }

  render(values: Readonly<Record<K, string>>): string {
    let out = this.literals[0]!;
    for (let i = 0; i < this.keys.length; i++) out += values[this.keys[i]!] + this.literals[i + 1]!;
    return out;
  }
}

/** Joins header lines with CRLF, adds Content-Length and the blank line, then the body. */
export function messageText(lines: readonly string[], body = ''): string {
  return [...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

export const REQUEST_KEYS = ['method', 'ruri', 'branch', 'from', 'to', 'call_id', 'cseq', 'route', 'auth', 'contact_user', 'expires', 'body'] as const;
export type RequestKey = (typeof REQUEST_KEYS)[number];

export interface LocalParty {
  /** `UDP`, `TCP`, `WS` as written in Via. */
  viaTransport: string;
  /** `host:port` written in Via and Contact. */
  hostPort: string;
  /** Contact URI parameter, e.g. `;transport=tcp` ('' for UDP). */
  contactParams: string;
}

/**
 * The SDP offer/answer of load calls: PCMU only, at its default 20 ms packets (RFC 3551 §4.5.14). Signaling-only
 * calls use port 9 (RFC 4566 discard: nobody sends RTP there); `--media rtp` calls the port pair
 * of their own media leg.
 */
export function loadSdp(host: string, sessionName: string, port = 9): string {
  const addrType = isIPv6(host) ? 'IP6' : 'IP4';
  return ['v=0', `o=sipbots 1 1 IN ${addrType} ${host}`, `s=${sessionName}`, `c=IN ${addrType} ${host}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
}

/** `[body]` of a message whose SDP differs per call: Content-Length, the blank line and the SDP. */
export function sdpBody(sdp: string): string {
  return `Content-Length: ${Buffer.byteLength(sdp)}\r\n\r\n${sdp}`;
}

/**
 * The templates a load UA sends. `[route]` and `[auth]` are whole header lines (with CRLF) or ''.
 * INVITE carries the SDP offer (`mediaInvite`: a per-call one in `[body]`, see sdpBody);
 * everything else has no body.
 */
export function requestTemplates(
  local: LocalParty,
  sdpHost: string,
): { invite: MessageTemplate<RequestKey>; mediaInvite: MessageTemplate<RequestKey>; bodiless: MessageTemplate<RequestKey>; register: MessageTemplate<RequestKey> } {
  const common = [
    '[method] [ruri] SIP/2.0',
    `Via: SIP/2.0/${local.viaTransport} ${local.hostPort};branch=[branch];rport`,
    'Max-Forwards: 70',
    '[route]From: [from]',
    'To: [to]',
    'Call-ID: [call_id]',
    'CSeq: [cseq] [method]',
  ];
  const contact = `Contact: <sip:[contact_user]@${local.hostPort}${local.contactParams}>`;
  return {
    invite: new MessageTemplate(messageText([...common, contact, '[auth]User-Agent: sipbots-load', 'Content-Type: application/sdp'], loadSdp(sdpHost, 'sipbots-load')), REQUEST_KEYS),
    mediaInvite: new MessageTemplate([...common, contact, '[auth]User-Agent: sipbots-load', 'Content-Type: application/sdp', '[body]'].join('\r\n'), REQUEST_KEYS),
    bodiless: new MessageTemplate(messageText([...common, '[auth]User-Agent: sipbots-load']), REQUEST_KEYS),
    register: new MessageTemplate(messageText([...common, contact, '[auth]Expires: [expires]', 'User-Agent: sipbots-load']), REQUEST_KEYS),
  };
}

export const RESPONSE_KEYS = ['status', 'vias', 'from', 'to', 'call_id', 'cseq', 'record_route', 'contact_user', 'body'] as const;
export type ResponseKey = (typeof RESPONSE_KEYS)[number];

const RESPONSE_HEAD = 'SIP/2.0 [status]\r\n[vias][from]To: [to]\r\n[call_id][cseq]';

/** A response without body or Contact (200 to BYE or CANCEL, 4xx-6xx finals): the same for every link. */
export const PLAIN_RESPONSE = new MessageTemplate(`${RESPONSE_HEAD}Content-Length: 0\r\n\r\n`, RESPONSE_KEYS);

/** PLAIN_RESPONSE to a request, its Via, From, Call-ID and CSeq copied (RFC 3261 §8.2.6.2); `to` with our tag where one is needed. */
export function plainResponseTo(request: ScannedMessage, status: string, to: string = request.to): string {
  return PLAIN_RESPONSE.render({ status, vias: request.viaLines, from: request.fromLine, to, call_id: request.callIdLine, cseq: request.cseqLine, record_route: '', contact_user: '', body: '' });
}

/** Callee responses: headers copied from the request (RFC 3261 §8.2.6.2), Record-Route too (§12.1.1). */
export function responseTemplates(local: LocalParty, sdpHost: string): { answer: MessageTemplate<ResponseKey>; mediaAnswer: MessageTemplate<ResponseKey>; ringing: MessageTemplate<ResponseKey> } {
  const head = RESPONSE_HEAD;
  const contact = `Contact: <sip:[contact_user]@${local.hostPort}${local.contactParams}>`;
  return {
    ringing: new MessageTemplate(`${head}[record_route]${contact}\r\nContent-Length: 0\r\n\r\n`, RESPONSE_KEYS),
    answer: new MessageTemplate(
      `${head}[record_route]${messageText([contact, 'Content-Type: application/sdp'], loadSdp(sdpHost, 'sipbots-load-callee'))}`,
      RESPONSE_KEYS,
    ),
    mediaAnswer: new MessageTemplate(`${head}[record_route]${contact}\r\nContent-Type: application/sdp\r\n[body]`, RESPONSE_KEYS),
  };
}
