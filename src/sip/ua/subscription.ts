import { UserAgent, type Core } from 'sip.js';
import { extraHeaderLines, type RequestContent } from './request-content.js';
import { responseLineOf, type ResponseLine } from './response-line.js';

/** One NOTIFY of a subscription, as the step judges it. */
export interface ReceivedNotify {
  /** The Subscription-State value: `active;expires=60`, `terminated;reason=timeout`. */
  state: string;
  body: string;
}

/** How a SUBSCRIBE (RFC 6665 §4.1.2) went: its final response and, once accepted, the NOTIFYs. */
export interface SubscribeOutcome {
  /** The subscription dialog's Call-ID: its messages are the subscriber's leg. */
  callId: string;
  response: ResponseLine;
  /** The subscription, when the SUBSCRIBE was accepted; undefined after a refusal. */
  subscription?: ActiveSubscription;
}

/** An accepted subscription: NOTIFYs as they come, and the way to end it. */
export interface ActiveSubscription {
  readonly notifies: readonly ReceivedNotify[];
  /** Resolves with the first NOTIFY (it may come before the 2xx: RFC 6665 §4.1.2.4). */
  firstNotify(): Promise<ReceivedNotify>;
  /**
   * SUBSCRIBE with Expires: 0 in the dialog (RFC 6665 §4.1.2.3): resolves with its final
   * response and the NOTIFY carrying `Subscription-State: terminated`, once both came.
   */
  unsubscribe(): Promise<{ response: ResponseLine; notify: ReceivedNotify }>;
}

/**
 * Sends SUBSCRIBE for `event` to `target` through sip.js's user agent core (which answers a
 * 401/407 with the account's credentials) and resolves with the final response. sip.js's api
 * `Subscriber` hides the status and unsubscribes silently on a refusal; the core's
 * `subscribe` gives both, and the subscription dialog the NOTIFYs.
 */
export function sendSubscribe(userAgent: UserAgent, target: string, event: string, expires: number, content: RequestContent): Promise<SubscribeOutcome> {
  const uri = UserAgent.makeURI(target);
  if (!uri) return Promise.reject(new Error(`${JSON.stringify(target)} is not a SIP URI (hint: sip:bob@lab.test)`));
  const core = userAgent.userAgentCore;
  const headers = [...extraHeaderLines(content.headers), `Event: ${event}`, `Expires: ${expires}`, `Contact: ${core.configuration.contact.toString()}`];
  const message = core.makeOutgoingRequestMessage('SUBSCRIBE', uri, core.configuration.aor, uri, {}, headers);
  const state = new SubscriptionState(event);
  return new Promise((resolve) => {
    core.subscribe(message, {
      onAccept: (response) => resolve({ callId: message.callId, response: responseLineOf(response), subscription: state }),
      onReject: (response) => resolve({ callId: message.callId, response: responseLineOf(response) }),
      onRedirect: (response) => resolve({ callId: message.callId, response: responseLineOf(response) }),
      onNotify: ({ request, subscription }) => {
        if (subscription) state.attach(subscription);
        state.receive(request);
      },
      onNotifyTimeout: () => state.fail(new Error(`no NOTIFY for the ${event} subscription within Timer N (RFC 6665 §4.1.2.4)`)),
    });
  });
}

class SubscriptionState implements ActiveSubscription {
  readonly notifies: ReceivedNotify[] = [];
  private dialog: Core.Subscription | undefined;
  private waiters: { resolve: (notify: ReceivedNotify) => void; reject: (error: Error) => void; accepts: (notify: ReceivedNotify) => boolean }[] = [];
  private failure: Error | undefined;

  constructor(private readonly event: string) {}

  attach(dialog: Core.Subscription): void {
    this.dialog = dialog;
    dialog.delegate = { onNotify: (request) => this.receive(request) };
  }

  receive(request: Core.IncomingNotifyRequest): void {
    request.accept();
    const notify = { state: request.message.getHeader('Subscription-State') ?? '', body: request.message.body };
    this.notifies.push(notify);
    this.waiters = this.waiters.filter((waiter) => (waiter.accepts(notify) ? (waiter.resolve(notify), false) : true));
  }

  fail(error: Error): void {
    this.failure = error;
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters = [];
  }

  firstNotify(): Promise<ReceivedNotify> {
    return this.next(() => true);
  }

  async unsubscribe(): Promise<{ response: ResponseLine; notify: ReceivedNotify }> {
    if (!this.dialog) throw new Error(`the ${this.event} subscription has no dialog yet (no NOTIFY came)`);
    const seen = this.notifies.length;
    const terminated = this.next((notify, index) => index >= seen && /^\s*terminated/i.test(notify.state));
    const response = new Promise<ResponseLine>((resolve) => {
      this.dialog!.unsubscribe().delegate = {
        onAccept: (r) => resolve(responseLineOf(r)),
        onReject: (r) => resolve(responseLineOf(r)),
        onRedirect: (r) => resolve(responseLineOf(r)),
      };
    });
    return { response: await response, notify: await terminated };
  }

  private next(accepts: (notify: ReceivedNotify, index: number) => boolean): Promise<ReceivedNotify> {
    const found = this.notifies.find(accepts);
    if (found) return Promise.resolve(found);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject, accepts: (notify) => accepts(notify, this.notifies.indexOf(notify)) });
    });
  }
}
