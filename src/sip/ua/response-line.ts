import { retryAfterSeconds } from '../message/retry-after.js';

/** The status line of a response, as the layers above the user agent see it. */
export interface ResponseLine {
  status: number;
  reason: string;
}

/**
 * A final response and how it came, as RFC 3263 §4.3 failover weighs it: `local` when sip.js
 * made it up (see `isLocalResponse`), `provisional` when a provisional response (100 Trying
 * included) came before it.
 */
export interface FinalResponseLine extends ResponseLine {
  local: boolean;
  provisional: boolean;
  /** The seconds its Retry-After asked the client to wait before trying again (`retryAfterSeconds`). */
  retryAfterS?: number;
}

/** sip.js types both as optional; a parsed response always has them (0 and '' never show in practice). */
export function responseLineOf(response: SipJsResponse): ResponseLine {
  return { status: response.message.statusCode ?? 0, reason: response.message.reasonPhrase ?? '' };
}

/**
 * True when sip.js made the response up instead of receiving it (RFC 3261 §8.1.3.1): 408 when
 * the transaction timed out with no answer at all, 503 when the transport could not send. A
 * received response always carries the text it was parsed from.
 */
export function isLocalResponse(response: SipJsResponse): boolean {
  return response.message.data === undefined;
}

/**
 * Follows one request through sip.js's delegate callbacks: `onTrying`/`onProgress` note that a
 * provisional came, `final` turns the final response into a FinalResponseLine (how it came
 * included). Registration and requests outside a dialog both hand these to sip.js.
 */
export function finalResponseTracking(): { onTrying: () => void; onProgress: () => void; final: (response: SipJsResponse) => FinalResponseLine } {
  let provisional = false;
  return {
    onTrying: () => (provisional = true),
    onProgress: () => (provisional = true),
    final: (response) => {
      const line = responseLineOf(response);
      const retryAfterS = retryAfterSeconds(line.status, response.message.getHeader?.('retry-after'));
      return { ...line, local: isLocalResponse(response), provisional, ...(retryAfterS === undefined ? {} : { retryAfterS }) };
    },
  };
}

/** The part of a sip.js IncomingResponse read here (the type itself is not exported by sip.js's root). */
export interface SipJsResponse {
  message: { statusCode?: number; reasonPhrase?: string; data?: string; getHeader?(name: string): string | undefined };
}
