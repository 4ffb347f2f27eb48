import { randomBytes } from 'node:crypto';
import { Core } from 'sip.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';

/** The state a bot reports for one event package: a NOTIFY body. `version` counts the NOTIFYs sent. */
export type EventPackageState = (aor: string, version: number) => { contentType: string; body: string };

/**
 * The event packages a bot accepts subscriptions for, with the state it reports: it is
 * registered and idle. A SUBSCRIBE for any other package is refused 489 Bad Event.
 */
export const EVENT_PACKAGES: Readonly<Record<string, EventPackageState>> = {
  // RFC 3856 presence, RFC 3863 PIDF: one tuple, basic status open.
  presence: (aor) => ({
    contentType: 'application/pidf+xml',
    body: `<?xml version="1.0" encoding="UTF-8"?>\r\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${aor}">\r\n  <tuple id="sipbots"><status><basic>open</basic></status><contact>${aor}</contact></tuple>\r\n</presence>\r\n`,
  }),
  // RFC 3842 message summary: no voicemail waiting.
  'message-summary': (aor) => ({ contentType: 'application/simple-message-summary', body: `Messages-Waiting: no\r\nMessage-Account: ${aor}\r\n` }),
  // RFC 4235 dialog package: a full state with no dialogs.
  dialog: (aor, version) => ({
    contentType: 'application/dialog-info+xml',
    body: `<?xml version="1.0" encoding="UTF-8"?>\r\n<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${version}" state="full" entity="${aor}"/>\r\n`,
  }),
};

/** What the notifier needs of its bot. */
export interface NotifierContext {
  aor: string;
  clock: Clock;
  logger: Logger;
}

/** The longest subscription granted, and the default when the SUBSCRIBE has no Expires (RFC 6665 §4.2.1.1). */
const MAX_EXPIRES = 3600;

/**
 * Answers an out-of-dialog SUBSCRIBE (RFC 6665 §4.2.1): 489 with Allow-Events for a package the
 * bot does not serve, else 200 with Expires and Contact, and at once the first NOTIFY with the
 * package's state in the new dialog. sip.js 0.21 has no notifier (its UserAgent only offers
 * the internal `onSubscribeRequest` hook); the dialog below is ours.
 */
export function acceptSubscription(core: Core.UserAgentCore, request: Core.IncomingSubscribeRequest, context: NotifierContext): void {
  const event = request.message.parseHeader('event') as { event?: string } | undefined;
  const state = event?.event === undefined ? undefined : EVENT_PACKAGES[event.event];
  if (event?.event === undefined || state === undefined) {
    request.reject({ statusCode: 489, extraHeaders: [`Allow-Events: ${Object.keys(EVENT_PACKAGES).join(', ')}`] });
    return;
  }
  const expires = grantedExpires(request.message);
  const toTag = randomBytes(8).toString('hex');
  // RFC 3261 §12.1.1: the dialog-creating response copies the Record-Route of the request.
  const recordRoutes = request.message.getHeaders('record-route').map((route) => `Record-Route: ${route}`);
  request.accept({ statusCode: 200, toTag, extraHeaders: [...recordRoutes, `Expires: ${expires}`, `Contact: ${core.configuration.contact.toString()}`] });
  const dialog = new NotifierDialog(core, Core.Dialog.initialDialogStateForUserAgentServer(request.message, toTag), event.event, state, context);
  dialog.refreshed(expires);
}

function grantedExpires(message: Core.IncomingRequestMessage): number {
  const header = message.getHeader('expires');
  const asked = header === undefined ? MAX_EXPIRES : Number.parseInt(header, 10);
  return Number.isFinite(asked) ? Math.min(Math.max(asked, 0), MAX_EXPIRES) : MAX_EXPIRES;
}

/**
 * The notifier's side of one subscription dialog:
 *
 *     SUBSCRIBE ──> active ──(SUBSCRIBE Expires: N)──> active (NOTIFY active;expires=N)
 *                     └──(SUBSCRIBE Expires: 0, or the expiry)──> terminated (NOTIFY terminated;reason=timeout)
 */
class NotifierDialog extends Core.Dialog {
  private version = 0;
  private expiry: TimerHandle | undefined;
  private terminated = false;

  constructor(
    core: Core.UserAgentCore,
    state: Core.DialogState,
    private readonly event: string,
    private readonly packageState: EventPackageState,
    private readonly context: NotifierContext,
  ) {
    super(core, state);
  }

  /** A refresh (or the initial SUBSCRIBE) granted `expires` seconds; 0 ends the subscription (RFC 6665 §4.2.1.4). */
  refreshed(expires: number): void {
    if (this.expiry !== undefined) this.context.clock.clearTimeout(this.expiry);
    if (expires === 0) {
      this.terminate();
      return;
    }
    this.notify(`active;expires=${expires}`);
    this.expiry = this.context.clock.setTimeout(() => this.terminate(), expires * 1000);
  }

  override receiveRequest(message: Core.IncomingRequestMessage): void {
    if (!this.sequenceGuard(message)) return;
    super.receiveRequest(message);
    if (message.method !== 'SUBSCRIBE') {
      // RFC 3261 §12.2.2: a request this dialog usage does not handle.
      this.core.replyStateless(message, { statusCode: 405, extraHeaders: ['Allow: SUBSCRIBE'] });
      return;
    }
    const request = new Core.SubscribeUserAgentServer(this.core, message);
    const event = (message.parseHeader('event') as { event?: string } | undefined)?.event;
    if (event !== this.event) {
      request.reject({ statusCode: 489, extraHeaders: [`Allow-Events: ${this.event}`] });
      return;
    }
    const expires = grantedExpires(message);
    request.accept({ statusCode: 200, extraHeaders: [`Expires: ${expires}`, `Contact: ${this.core.configuration.contact.toString()}`] });
    this.refreshed(expires);
  }

  private terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    if (this.expiry !== undefined) this.context.clock.clearTimeout(this.expiry);
    this.notify('terminated;reason=timeout');
    this.dispose();
  }

  private notify(subscriptionState: string): void {
    const { contentType, body } = this.packageState(this.context.aor, this.version++);
    const message = this.createOutgoingRequestMessage('NOTIFY', {
      extraHeaders: [`Event: ${this.event}`, `Subscription-State: ${subscriptionState}`, `Contact: ${this.core.configuration.contact.toString()}`],
      body: { contentDisposition: 'render', contentType, content: body },
    });
    // sip.js's NotifyUserAgentClient is typed for session dialogs only; it is this, for any dialog.
    new Core.UserAgentClient(Core.NonInviteClientTransaction, this.core, message, { onReject: (response) => this.context.logger.info({ status: response.message.statusCode, event: this.event }, 'the subscriber refused a NOTIFY') });
  }
}
