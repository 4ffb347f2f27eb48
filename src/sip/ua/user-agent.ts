import { Inviter, Registerer, SIPExtension, URI, UserAgent } from 'sip.js';
import type { Logger } from '../../util/logger.js';
import type { ReliableSipSocket } from '../reliability/types.js';
import { unbracket, uriHost } from '../transport/socket-helpers.js';
import type { Endpoint, TransportProtocol } from '../transport/types.js';
import type { Clock } from '../../util/clock.js';
import type { LateAnswer } from './late-answer.js';
import { IncomingCall } from './incoming-call.js';
import { NodeTransport } from './node-transport.js';
import { sendOutOfDialog, type OutOfDialogMethod } from './out-of-dialog-request.js';
import { OutgoingCall } from './outgoing-call.js';
import { extraHeaderLines, type RequestContent } from './request-content.js';
import { Registration } from './registration.js';
import type { FinalResponseLine } from './response-line.js';
import type { SessionDescriptionHandlerFactory } from './session-description-handler.js';
import { sipJsLogConnector } from './sipjs-log.js';
import { acceptSubscription } from './notifier.js';
import { sendSubscribe, type SubscribeOutcome } from './subscription.js';
import { systemClock } from '../../util/clock.js';

export interface SipUserAgentOptions {
  /** Address of record, e.g. `sip:alice@lab.test`. */
  aor: string;
  authorizationUsername: string;
  authorizationPassword: string;
  displayName?: string;
  /** Our socket, already open: every message goes through it. */
  socket: ReliableSipSocket;
  /** Registrar and outbound proxy: every request goes there (asked per request: it may change). */
  nextHop: () => Endpoint;
  /**
   * An outbound proxy distinct from the domain (`sip:proxy.example.net:5060`): RFC 3261 §8.1.2,
   * every request outside a dialog carries `Route: <uri;lr>` (the pre-existing route set).
   */
  outboundProxy?: string;
  protocol: TransportProtocol;
  /** Via sent-by: `host:port` for UDP/TCP, an `.invalid` host for streams we only dial out on. */
  viaHost: string;
  /** User part of our Contact. */
  contactUser: string;
  /** Host and port for the Contact, when we can be reached there (UDP, TCP). */
  contactEndpoint?: Endpoint;
  /** Makes the offer/answer partner (and media) of each call. */
  media: SessionDescriptionHandlerFactory;
  /** Errors of the media layer that mean "this offer cannot be answered": 488, not 480. */
  isUnacceptableOffer: (error: unknown) => boolean;
  /** Each incoming INVITE, as a call not yet answered (no 1xx sent yet). */
  onIncomingCall: (call: IncomingCall) => void;
  /** A 2xx that came after its INVITE had failed (a 408 racing the callee's 200): ACKed and ended with BYE. */
  onLateAnswer?: (answer: LateAnswer) => void;
  clock?: Clock;
  /** sip.js's own log lines go here. */
  logger: Logger;
  /** Each message our transport could not send, with why (sip.js reports only a 503). */
  onSendError?: (error: unknown) => void;
}

/**
 * One account's SIP user agent: the sip.js UserAgent configured for a headless bot on our
 * transport (NodeTransport), with calls and the registration as our own wrappers. Nothing
 * above src/sip sees sip.js.
 */
export class SipUserAgent {
  private readonly userAgent: UserAgent;

  constructor(private readonly options: SipUserAgentOptions) {
    const { protocol } = options;
    this.userAgent = new UserAgent({
      uri: UserAgent.makeURI(options.aor),
      authorizationUsername: options.authorizationUsername,
      authorizationPassword: options.authorizationPassword,
      displayName: options.displayName,
      transportConstructor: NodeTransport,
      transportOptions: { socket: options.socket, nextHop: options.nextHop, protocol, onLateAnswer: options.onLateAnswer, clock: options.clock, onSendError: options.onSendError },
      viaHost: options.viaHost,
      contactName: options.contactUser,
      contactParams: { transport: protocol },
      forceRport: true,
      ...(options.outboundProxy !== undefined && { preloadedRouteSet: [outboundProxyRoute(options.outboundProxy)] }),
      noAnswerTimeout: 3600,
      // The callee policy decides whether to ring (180) or refuse at once (486 when busy).
      sendInitialProvisionalResponse: false,
      userAgentString: 'sipbots/0.1',
      logBuiltinEnabled: false,
      logLevel: 'debug',
      logConnector: sipJsLogConnector(options.logger),
      sessionDescriptionHandlerFactory: options.media,
      // RFC 3891: an INVITE with Replaces takes over the matching call, which sip.js ends with BYE once the new one is up.
      sipExtensionReplaces: SIPExtension.Supported,
      delegate: {
        onInvite: (invitation) => options.onIncomingCall(new IncomingCall(invitation, options.isUnacceptableOffer)),
        onSubscribeRequest: (request) =>
          acceptSubscription(this.userAgent.userAgentCore, request, { aor: options.aor, clock: options.clock ?? systemClock, logger: options.logger }),
      },
    });
    if (options.contactEndpoint) {
      // sip.js builds its Contact from viaHost as one host string; a registrar's 200 lists the
      // binding with host and port apart, and sip.js compares URIs. Give it the real URI.
      this.setContact(options.contactEndpoint, { outbound: false });
    }
  }

  start(): Promise<void> {
    return this.userAgent.start();
  }

  /** Stops the user agent. sip.js waits for an unanswered REGISTER to time out (Timer F, 32 s) first. */
  stop(): Promise<void> {
    return this.userAgent.stop();
  }

  /**
   * A call to `target`, not yet sent (see `OutgoingCall.invite`); undefined if `target` is not a
   * SIP URI. Early media is on: an answer in a 18x starts our media at once (sip.js `earlyMedia`;
   * it gives up a call whose early and confirmed dialogs differ, i.e. a forked INVITE).
   * `rel100` offers reliable provisionals (RFC 3262 §4): 100rel in Supported, and in Require
   * when `required`; sip.js PRACKs every reliable 18x (RAck) whatever we offered.
   * `toDisplayName` goes in the To, quoted by sip.js (the schema keeps quotes and backslashes out).
   * `again`: the same call sent anew after its INVITE failed at one server target (RFC 3263
   * §4.3): same Call-ID, the next CSeq, a new branch (and, sip.js's choice, a new From tag).
   */
  call(target: string, headers?: RequestContent['headers'], options: { rel100?: 'supported' | 'required'; toDisplayName?: string; again?: SameCall } = {}): OutgoingCall | undefined {
    const uri = UserAgent.makeURI(target);
    if (!uri) return undefined;
    const extraHeaders = extraHeaderLines(headers);
    const params: { optionTags?: string[]; toDisplayName?: string; callId?: string; cseq?: number } = {};
    if (options.again) Object.assign(params, { callId: options.again.callId, cseq: options.again.cseq + 1 });
    if (options.rel100 !== undefined) {
      params.optionTags = [...this.userAgent.userAgentCore.configuration.supportedOptionTags, '100rel'];
      if (options.rel100 === 'required') extraHeaders.push('Require: 100rel');
    }
    if (options.toDisplayName !== undefined) params.toDisplayName = options.toDisplayName;
    return new OutgoingCall(new Inviter(this.userAgent, uri, { extraHeaders, earlyMedia: true, params: params as object }));
  }

  /** MESSAGE or OPTIONS to `target` outside any dialog; resolves with the final response (and whether sip.js made it up). */
  request(method: OutOfDialogMethod, target: string, content: RequestContent = {}): Promise<FinalResponseLine> {
    return sendOutOfDialog(this.userAgent, method, target, content);
  }

  /** SUBSCRIBE to `event` at `target` (RFC 6665); resolves with the final response and, if accepted, the subscription. */
  subscribe(target: string, event: string, expires: number, content: RequestContent = {}): Promise<SubscribeOutcome> {
    return sendSubscribe(this.userAgent, target, event, expires, content);
  }

  /**
   * Runs `work` with another digest password (a scenario's wrong-password REGISTER): sip.js
   * reads the password from its options each time it answers a challenge.
   */
  async withPassword<T>(password: string, work: () => Promise<T>): Promise<T> {
    const options = (this.userAgent as unknown as { options: { authorizationPassword?: string } }).options;
    const saved = options.authorizationPassword;
    options.authorizationPassword = password;
    try {
      return await work();
    } finally {
      options.authorizationPassword = saved;
    }
  }

  /** Our binding at the registrar, refreshed at `refreshFrequency` % of `expires` once registered. */
  createRegistration(options: { expires: number; refreshFrequency: number }): Registration {
    return new Registration(new Registerer(this.userAgent, options));
  }

  /** Host and port of the Contact every request and dialog carries. */
  contactEndpoint(): Endpoint {
    const uri = this.userAgent.contact.uri;
    return { address: unbracket(uri.host), port: uri.port ?? 5060 };
  }

  /** Makes `endpoint` our Contact for every later request and dialog; `outbound` adds `;ob` (RFC 5626 §5.4). */
  setContact(endpoint: Endpoint, { outbound }: { outbound: boolean }): void {
    const params: Record<string, string | null> = outbound ? { transport: this.options.protocol, ob: null } : { transport: this.options.protocol };
    this.userAgent.contact.uri = new URI('sip', this.options.contactUser, uriHost(endpoint.address), endpoint.port, params);
  }
}

/** The call an INVITE sent again belongs to. */
export interface SameCall {
  callId: string;
  /** The CSeq number of the INVITE that failed. */
  cseq: number;
}

/** `<sip:proxy.example.net:5060;lr>`: the outbound proxy as a loose router (RFC 3261 §8.1.2, §16.12). */
export function outboundProxyRoute(uri: string): string {
  const bare = uri.trim().replace(/^<|>$/g, '');
  const withScheme = /^sips?:/i.test(bare) ? bare : `sip:${bare}`;
  return /;lr(?:[;=]|$)/i.test(withScheme) ? `<${withScheme}>` : `<${withScheme};lr>`;
}
