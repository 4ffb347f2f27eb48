import { isIPv6 } from 'node:net';
import { ConfigError } from '../config/config-error.js';
import type { BotConfig } from '../config/bots-schema.js';
import { isLoopbackAddress } from '../media/webrtc/loopback-ice.js';
import { loopbackFor } from '../sip/transport/socket-helpers.js';
import { formatEndpoint, type Endpoint } from '../sip/transport/types.js';
import { RegistrationError, ServerUnreachableError } from './errors.js';
import { sessionProblem } from '../config/problem-text.js';

/**
 * The account with a bind address of the server's family: a bot told nothing binds the loopback
 * of that family (a socket on 127.0.0.1 cannot send to [::1]); a configured address of the other
 * family is a configuration error, said before anything is sent.
 */
export function boundForServer(account: BotConfig, server: Endpoint): BotConfig {
  if (account.bindAddress === undefined) return isIPv6(server.address) ? { ...account, bindAddress: loopbackFor(server.address) } : account;
  if (isIPv6(account.bindAddress) !== isIPv6(server.address)) {
    const family = (address: string): string => (isIPv6(address) ? 'IPv6' : 'IPv4');
    throw new ConfigError([
      {
        file: 'bots',
        path: `bots.${account.name}.bindAddress`,
        ...sessionProblem.bindFamily(account.name, account.bindAddress, family(account.bindAddress), formatEndpoint(server), family(server.address)),
      },
    ]);
  }
  return account;
}

/** Why a failed REGISTER may try the next server target (RFC 3263 §4.3), or undefined when it may not. */
export function failoverReason(error: unknown): string | undefined {
  if (error instanceof ServerUnreachableError) return error.message;
  if (error instanceof RegistrationError && error.status === 503) return `503 ${error.reason}`;
  if (error instanceof Error && /transport|connection|refused|ECONNREFUSED/i.test(`${error.name} ${error.message}`)) return error.message;
  return undefined;
}

/** What became of a request a bot sent outside any dialog (an INVITE first of all), as RFC 3263 §4.3 weighs it. */
export interface RequestOutcome {
  status: number;
  reason: string;
  /** sip.js made the response up (RFC 3261 §8.1.3.1): 408 when nothing answered, 503 when the transport could not send. */
  local: boolean;
  /** A provisional response (100 Trying included) came first: the server has the request and is alive. */
  provisional: boolean;
  /** Why our transport failed, when it did (sip.js keeps only the 503). */
  sendError?: unknown;
}

/**
 * Why a request outside a dialog may be sent again to the next server target (RFC 3263 §4.3),
 * or undefined when it may not: a transport error (a refused connection, an ICMP error), a
 * timeout with no response at all (Timer B/F), or a 503 from the server itself, i.e. before any
 * provisional response. After a provisional one the server is alive, and a 503 then is the
 * outcome of the request, like any other final response.
 */
export function requestFailoverReason(outcome: RequestOutcome): string | undefined {
  if (outcome.provisional) return undefined;
  if (outcome.local && outcome.status === 408) return 'no response at all (408 Request Timeout from the transaction, RFC 3261 §8.1.3.1)';
  if (outcome.local && outcome.status === 503) {
    const cause = outcome.sendError instanceof Error ? outcome.sendError.message : outcome.sendError === undefined ? undefined : String(outcome.sendError);
    return `the transport could not send${cause === undefined ? '' : ` (${cause})`}`;
  }
  if (!outcome.local && outcome.status === 503) return `503 ${outcome.reason} from the server`;
  return undefined;
}

/**
 * After RFC 3263 failover to a target of the other address family (an IPv4 target dead, the
 * next one on [::1]): the account bound in that family, or undefined when it already is. A
 * socket on 127.0.1.N (the lab's per-party address, src/lab/lab-addresses.ts) cannot send to
 * [::1], so a loopback bot moves to the loopback of the target's family; a bot bound to an
 * address of a real interface cannot follow, and the failover stops there.
 */
export function reboundForTarget(account: BotConfig, target: Endpoint): BotConfig | undefined {
  const bound = account.bindAddress ?? '127.0.0.1';
  if (isIPv6(bound) === isIPv6(target.address)) return undefined;
  if (!isLoopbackAddress(bound) && bound !== '::1') {
    throw new ConfigError([
      {
        file: 'bots',
        path: `bots.${account.name}.bindAddress`,
        ...sessionProblem.bindNextTarget(account.name, bound, formatEndpoint(target)),
      },
    ]);
  }
  return { ...account, bindAddress: loopbackFor(target.address) };
}
