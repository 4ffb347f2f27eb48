import { createHmac, timingSafeEqual } from 'node:crypto';

/** The Record-Route URI parameter carrying the dialog token. */
export const DIALOG_TOKEN_PARAM = 'dlg';

/**
 * The token this proxy puts in its Record-Route (`;dlg=…`): an HMAC of the Call-ID under a
 * secret drawn when the proxy starts. A Route naming us with the right token proves the proxy
 * record-routed this dialog itself; anyone can write `Route: <sip:proxy;lr>`, which is what
 * makes Kamailio's plain loose_route() an open relay for forged in-dialog requests.
 */
export function dialogToken(secret: Buffer, callId: string): string {
  return createHmac('sha256', secret).update(callId).digest('hex').slice(0, 16);
}

/** Whether `token` is this Call-ID's, compared in constant time. */
export function isDialogToken(secret: Buffer, callId: string, token: string | undefined): boolean {
  const expected = Buffer.from(dialogToken(secret, callId));
  const given = Buffer.from(token ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
