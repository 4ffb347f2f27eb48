import type { RegisterHandlers } from '../sip/ua/registration.js';
import type { ResponseLine } from '../sip/ua/response-line.js';
import type { Clock } from '../util/clock.js';

/** The final response to a REGISTER, or a made-up 408 when none came within `timeoutMs`. */
export function finalResponse(send: (handlers: RegisterHandlers) => Promise<void>, timeoutMs: number, clock: Clock): Promise<ResponseLine> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => resolve({ status: 408, reason: `no final response within ${timeoutMs / 1000} s` }), timeoutMs);
    const done = (response: ResponseLine) => {
      clock.clearTimeout(timer);
      resolve(response);
    };
    send({ onAccept: done, onReject: done }).catch((error: unknown) => {
      clock.clearTimeout(timer);
      reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
}
