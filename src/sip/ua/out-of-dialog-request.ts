import { UserAgent } from 'sip.js';
import { extraHeaderLines, sipJsBody, type RequestContent } from './request-content.js';
import { isLocalResponse, responseLineOf, type ResponseLine, type SipJsResponse } from './response-line.js';

/** Methods a bot sends outside any dialog on a scenario's behalf. */
export type OutOfDialogMethod = 'MESSAGE' | 'OPTIONS';

/** The final response to a request outside a dialog, and what RFC 3263 §4.3 failover needs to know of it. */
export interface OutOfDialogOutcome {
  response: ResponseLine;
  /** sip.js made the response up: 408 for no answer (Timer F), 503 for a failed send. */
  local: boolean;
  /** A provisional response came before it. */
  provisional: boolean;
}

/**
 * Sends MESSAGE (RFC 3428) or OPTIONS (RFC 3261 §11) to `target` through the user agent core,
 * which answers a 401/407 challenge with the account's credentials on its own, and resolves
 * with the final response. A timeout (Timer F) arrives as sip.js's own 408, a transport
 * failure as its 503: both still a status the step can judge (`local` tells them apart).
 */
export function sendOutOfDialog(userAgent: UserAgent, method: OutOfDialogMethod, target: string, content: RequestContent): Promise<OutOfDialogOutcome> {
  const uri = UserAgent.makeURI(target);
  if (!uri) return Promise.reject(new Error(`${JSON.stringify(target)} is not a SIP URI (hint: sip:bob@lab.test)`));
  const core = userAgent.userAgentCore;
  const from = core.configuration.aor;
  const body = sipJsBody(content);
  const request = core.makeOutgoingRequestMessage(method, uri, from, uri, {}, extraHeaderLines(content.headers), body);
  let provisional = false;
  return new Promise((resolve) => {
    const final = (response: SipJsResponse) => resolve({ response: responseLineOf(response), local: isLocalResponse(response), provisional });
    core.request(request, {
      onAccept: final,
      onReject: final,
      onRedirect: final,
      onProgress: () => (provisional = true),
      onTrying: () => (provisional = true),
    });
  });
}
