/**
 * The media plug of the user agent, as our types: the same shape as sip.js's
 * `SessionDescriptionHandler` and its factory, so the media layer (src/media) implements it
 * without importing sip.js, and the user agent hands the factory to sip.js as it is.
 */

/**
 * Options sip.js passes through to the handler; ours: `hold` (a re-INVITE for hold sets it),
 * `silentUntilAnswered` (an answer in a reliable 180: no media until the call is answered),
 * `direction` and `codecs` (a `reinvite`/`update` step's new offer: its a= direction and the
 * only codecs it lists, in order).
 */
export interface SessionDescriptionHandlerOptions {
  constraints?: object;
  hold?: boolean;
  silentUntilAnswered?: boolean;
  direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  codecs?: string[];
}

export interface BodyAndContentType {
  body: string;
  contentType: string;
}

/** One call's offer/answer partner (RFC 3264) and, behind it, its media. */
export interface SessionDescriptionHandler {
  close(): void;
  getDescription(options?: SessionDescriptionHandlerOptions, modifiers?: unknown[]): Promise<BodyAndContentType>;
  hasDescription(contentType: string): boolean;
  rollbackDescription?(): Promise<void>;
  setDescription(sdp: string, options?: SessionDescriptionHandlerOptions, modifiers?: unknown[]): Promise<void>;
  /** Queues RFC 4733 telephone-events; false when they cannot be sent (not negotiated, no media). */
  sendDtmf(tones: string, options?: unknown): boolean;
  /** Ours: resolves once every digit `sendDtmf` queued has gone out. */
  whenDtmfSent?(): Promise<void>;
  /** Ours: the call was answered (200 sent or received); what was heard until now is early media. */
  markAnswered?(): void;
  /**
   * Ours: the INVITE this offer went with failed at its server target and the call is sent again
   * to the next one (RFC 3263 §4.3): its media never happened, so closing it reports no
   * statistics and writes no recording under the call's Call-ID (the retry owns those).
   */
  discardStats?(): void;
}

/** Makes the handler of one call; `session` is opaque outside src/sip/ua (see `callIdOfSession`). */
export type SessionDescriptionHandlerFactory = (session: unknown, options?: object) => SessionDescriptionHandler;

/** The Call-ID of the call a factory was asked a handler for ('' if it has none). */
export function callIdOfSession(session: unknown): string {
  return (session as { request?: { callId?: string } }).request?.callId ?? '';
}
