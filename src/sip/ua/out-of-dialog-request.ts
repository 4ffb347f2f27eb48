import { UserAgent } from 'sip.js';
import { extraHeaderLines, sipJsBody, type RequestContent } from './request-content.js';
import { finalResponseTracking, type FinalResponseLine, type SipJsResponse } from './response-line.js';

/** Methods a bot sends outside any dialog on a scenario's behalf. */
export type OutOfDialogMethod = 'MESSAGE' | 'OPTIONS';

/**
 * Sends MESSAGE (RFC 3428) or OPTIONS (RFC 3261 §11) to `target` through the user agent core,
 * which answers a 401/407 challenge with the account's credentials on its own, and resolves
 * with the final response. A timeout (Timer F) arrives as sip.js's own 408, a transport
 * failure as its 503: both still a status the step can judge (`local` tells them apart).
 */
export function sendOutOfDialog(userAgent: UserAgent, method: OutOfDialogMethod, target: string, content: RequestContent): Promise<FinalResponseLine> {
  const uri = UserAgent.makeURI(target);
  if (!uri) return Promise.reject(new Error(`${JSON.stringify(target)} is not a SIP URI (hint: sip:bob@lab.test)`));
  const core = userAgent.userAgentCore;
  const from = core.configuration.aor;
  const body = sipJsBody(content);
  const request = core.makeOutgoingRequestMessage(method, uri, from, uri, {}, extraHeaderLines(content.headers), body);
  const { onTrying, onProgress, final } = finalResponseTracking();
  return new Promise((resolve) => {
    const settle = (response: SipJsResponse) => resolve(final(response));
    core.request(request, { onAccept: settle, onReject: settle, onRedirect: settle, onProgress, onTrying });
  });
}
