import { answerChallenge, formatDigestCredentials, parseDigestChallenge } from '../../../src/sip/auth/digest.js';
import { getHeader, getHeaderValues, topVia } from '../../../src/sip/message/headers.js';
import { parseSipMessage } from '../../../src/sip/message/parse-message.js';
import { serializeSipMessage } from '../../../src/sip/message/serialize-message.js';
import type { SipMessage, SipRequest, SipResponse } from '../../../src/sip/message/sip-message.js';
import type { Endpoint, Flow, SipSocket, TransportProtocol } from '../../../src/sip/transport/types.js';
import { createResponse } from '../../../src/proxy/local-response.js';

export interface Received {
  message: SipMessage;
  raw: string;
  flow: Flow;
}

/** Lets every queued microtask and the sends they trigger run to the end. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

let counter = 0;

/**
 * A scripted SIP phone for ladder tests: builds requests by hand, keeps everything it
 * receives in `inbox`, and answers digest challenges with the project's own digest code.
 */
export class TestPhone {
  readonly inbox: Received[] = [];
  private cseq = 1;
  readonly callId = `call-${++counter}@test`;
  readonly fromTag = `ft${counter}`;

  constructor(
    readonly socket: SipSocket,
    readonly user: string,
    readonly password: string,
    private readonly proxy: () => Endpoint,
    readonly domain = 'lab.test',
  ) {
    socket.onMessage((raw, flow) => this.inbox.push({ message: parseSipMessage(raw), raw, flow }));
  }

  get protocol(): TransportProtocol {
    return this.socket.protocol;
  }

  contact(): string {
    const t = this.protocol === 'udp' ? '' : `;transport=${this.protocol}`;
    return `sip:${this.user}@${this.socket.local.address}:${this.socket.local.port}${t}`;
  }

  /** A request of this phone's call, with a fresh branch and the next CSeq unless told. */
  request(method: string, uri: string, options: { to?: string; cseq?: number; branch?: string; headers?: [string, string][]; body?: string; from?: string; callId?: string } = {}): SipRequest {
    const branch = options.branch ?? `z9hG4bK${this.user}${++counter}`;
    const lines = [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/${this.protocol.toUpperCase()} ${this.socket.local.address}:${this.socket.local.port};rport;branch=${branch}`,
      'Max-Forwards: 70',
      `From: <sip:${options.from ?? this.user}@${this.domain}>;tag=${this.fromTag}`,
      `To: ${options.to ?? `<${uri}>`}`,
      `Call-ID: ${options.callId ?? this.callId}`,
      `CSeq: ${options.cseq ?? this.cseq++} ${method}`,
      `Contact: <${this.contact()}>`,
      ...(options.headers ?? []).map(([n, v]) => `${n}: ${v}`),
      `Content-Length: ${Buffer.byteLength(options.body ?? '')}`,
      '',
      options.body ?? '',
    ];
    return parseSipMessage(lines.join('\r\n')) as SipRequest;
  }

  /** The same request again, with a new branch and CSeq and digest credentials for `challenge`. */
  withCredentials(request: SipRequest, challengeResponse: SipResponse, password = this.password): SipRequest {
    const proxyAuth = challengeResponse.status === 407;
    const challenge = getHeader(challengeResponse, proxyAuth ? 'proxy-authenticate' : 'www-authenticate')!;
    const credentials = answerChallenge(parseDigestChallenge(challenge), {
      username: this.user,
      password,
      method: request.method,
      uri: request.uri,
      cnonce: 'cnonce1',
    });
    const text = serializeSipMessage(request)
      .replace(/branch=[^;\r\n]+/, `branch=z9hG4bK${this.user}${++counter}`)
      .replace(/CSeq: \d+/, `CSeq: ${this.cseq++}`)
      .replace('\r\n', `\r\n${proxyAuth ? 'Proxy-Authorization' : 'Authorization'}: ${formatDigestCredentials(credentials)}\r\n`);
    return parseSipMessage(text) as SipRequest;
  }

  async send(message: SipMessage | string): Promise<void> {
    await this.socket.send(typeof message === 'string' ? message : serializeSipMessage(message), { remote: this.proxy() });
  }

  /** Answers a request this phone received, back on the flow it came in on. */
  async respond(to: Received, status: number, reason: string, options: { toTag?: string; headers?: [string, string][] } = {}): Promise<SipResponse> {
    // RFC 3261 §12.1.1: a UAS copies Record-Route into its responses.
    const recordRoutes = getHeaderValues(to.message, 'record-route').map((rr): [string, string] => ['Record-Route', rr]);
    const headers: [string, string][] = [...recordRoutes, ['Contact', `<${this.contact()}>`], ...(options.headers ?? [])];
    const response = createResponse(to.message as SipRequest, status, reason, { toTag: options.toTag ?? `tt-${this.user}`, headers });
    await this.socket.send(serializeSipMessage(response), { flowId: to.flow.id, remote: to.flow.remote });
    return response;
  }

  /** Start lines of everything received, e.g. `['SIP/2.0 100 Trying', 'SIP/2.0 407 …']`. */
  ladder(): string[] {
    return this.inbox.map((r) => r.raw.slice(0, r.raw.indexOf('\r\n')));
  }

  last(): Received {
    const last = this.inbox[this.inbox.length - 1];
    if (!last) throw new Error(`${this.user} has received nothing`);
    return last;
  }

  lastResponse(status?: number): SipResponse {
    const found = [...this.inbox].reverse().find((r) => r.message.kind === 'response' && (status === undefined || r.message.status === status));
    if (!found) throw new Error(`${this.user} has no response${status ? ` ${status}` : ''}; got ${this.ladder().join(' | ')}`);
    return found.message as SipResponse;
  }

  lastRequest(method: string): Received {
    const found = [...this.inbox].reverse().find((r) => r.message.kind === 'request' && r.message.method === method);
    if (!found) throw new Error(`${this.user} has no ${method}; got ${this.ladder().join(' | ')}`);
    return found;
  }

  clear(): void {
    this.inbox.length = 0;
  }
}

export function branchOf(message: SipMessage): string | undefined {
  return topVia(message).branch;
}
