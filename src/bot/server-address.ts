import { isIPv6 } from 'node:net';
import { ConfigError } from '../config/config-error.js';
import type { BotConfig } from '../config/bots-schema.js';
import { isLoopbackAddress } from '../media/webrtc/loopback-ice.js';
import { loopbackFor } from '../sip/transport/socket-helpers.js';
import { formatEndpoint, type Endpoint } from '../sip/transport/types.js';
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
