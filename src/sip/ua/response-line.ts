/** The status line of a response, as the layers above the user agent see it. */
export interface ResponseLine {
  status: number;
  reason: string;
}

/** sip.js types both as optional; a parsed response always has them (0 and '' never show in practice). */
export function responseLineOf(response: SipJsResponse): ResponseLine {
  return { status: response.message.statusCode ?? 0, reason: response.message.reasonPhrase ?? '' };
}

/** The part of a sip.js IncomingResponse read here (the type itself is not exported by sip.js's root). */
export interface SipJsResponse {
  message: { statusCode?: number; reasonPhrase?: string };
}
