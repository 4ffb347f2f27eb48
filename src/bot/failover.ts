import type { FinalResponseLine } from '../sip/ua/response-line.js';
import { isTransportFailure } from '../sip/transport/types.js';
import { RegistrationError, ServerUnreachableError } from './errors.js';

/**
 * What became of one request a bot sent outside any dialog (REGISTER, INVITE, MESSAGE, OPTIONS)
 * at one server target: the one thing RFC 3263 §4.3 failover is decided on.
 */
export interface RequestOutcome extends FinalResponseLine {
  /** Why our transport failed, when it did (sip.js keeps only its made-up 503). */
  sendError?: unknown;
  /**
   * No final response within the bot's own deadline, shorter than Timer F (`registerWithin`):
   * what it says. The outcome is then a local 408, as sip.js would have made up later.
   */
  deadline?: string;
}

/**
 * Why a request may be sent again to the next server target (RFC 3263 §4.3), or undefined when
 * it may not: a transport error (a refused connection, an ICMP error: sip.js's own 503), a
 * timeout with no response at all (Timer B/F: sip.js's own 408, or the bot's shorter deadline),
 * or a 503 from the server itself, i.e. before any provisional response; RFC 3261 §21.5.4 asks
 * for an alternate server on a 503 whatever its Retry-After says. After a provisional one the
 * server is alive, and a 503 then is the outcome of the request, like any other final response
 * (a 408 the server sent included).
 */
export function failoverReason(outcome: RequestOutcome): string | undefined {
  if (outcome.provisional) return undefined;
  if (outcome.local && outcome.status === 408) return outcome.deadline ?? 'no response at all (408 Request Timeout from the transaction, RFC 3261 §8.1.3.1)';
  if (outcome.local && outcome.status === 503) {
    const cause = outcome.sendError instanceof Error ? outcome.sendError.message : outcome.sendError === undefined ? undefined : String(outcome.sendError);
    return `the transport could not send${cause === undefined ? '' : ` (${cause})`}`;
  }
  if (!outcome.local && outcome.status === 503) return `503 ${outcome.reason} from the server`;
  return undefined;
}

/**
 * A REGISTER's failure (what `registerWithin` rejects with) as an outcome: the response it got,
 * the bot's deadline passing as a local 408, a send that threw as a local 503. A send that threw
 * is known by its type (`isTransportFailure`: our TransportError, or Node's ECONNREFUSED and
 * kin by `code`), never by its text. Undefined for an error that says nothing of the server (a
 * bug, a bad URI): never a reason to move on.
 */
export function registerOutcome(error: unknown, sendError: unknown): RequestOutcome | undefined {
  if (error instanceof ServerUnreachableError) return { status: 408, reason: 'Request Timeout', local: true, provisional: false, deadline: error.message };
  if (error instanceof RegistrationError) return { status: error.status, reason: error.reason, ...error.came, sendError };
  if (isTransportFailure(error)) {
    return { status: 503, reason: 'Service Unavailable', local: true, provisional: false, sendError: error };
  }
  return undefined;
}

/**
 * The finding a request that failed over leaves (case line, report, messages.jsonl): what failed
 * where, and where it goes next, after registering there (the binding at `from` is worthless).
 */
export function failoverFinding(method: string, from: string, reason: string, to: string): string {
  return `${method} via ${from} failed: ${reason}; trying the next server target, ${to}: registering there, then sending the ${method} again (RFC 3263 §4.3)`;
}
