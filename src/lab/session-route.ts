import type { BotConfig, BotsFile } from '../config/bots-schema.js';
import { ConfigError, type ConfigProblem } from '../config/config-error.js';

/**
 * Where a session's bots send their requests, as a softphone's account settings say it:
 *
 *   server: sip:iptel.org             the domain's own server, reached directly (no Route)
 *   outboundProxy: sip:proxy.net:5060 a proxy in front of it: requests go there and carry
 *                                     `Route: <sip:proxy.net:5060;lr>` (RFC 3261 §8.1.2),
 *                                     while REGISTER still asks for sip:<domain>
 *   neither                           the lab's embedded proxy
 *
 * `--server` (or $SIPBOTS_SERVER) replaces the bots file's `server`; `--outbound-proxy` its
 * `outboundProxy`. One session has one route: the bots must agree on it.
 */
export interface SessionRoute {
  /** The SIP URI requests are sent to (located as RFC 3263 says); undefined: the embedded proxy. */
  server: string | undefined;
  /** The same URI when it is an outbound proxy: requests outside a dialog carry a Route to it. */
  outboundProxy: string | undefined;
}

export function sessionRoute(bots: BotsFile, given: { server?: string | undefined; outboundProxy?: string | undefined }): SessionRoute {
  const problems: ConfigProblem[] = [];
  const server = given.server ?? shared(bots, 'server', problems);
  const outboundProxy = given.outboundProxy ?? shared(bots, 'outboundProxy', problems);
  if (server !== undefined && outboundProxy !== undefined) {
    problems.push({
      file: given.server !== undefined ? '--server' : bots.file,
      path: given.server !== undefined ? '' : 'server',
      message: `both a server (${server}) and an outbound proxy (${outboundProxy}) are set: requests go to the outbound proxy, which reaches the domain's server itself`,
      hint: 'keep one: server for a domain reached directly, outboundProxy for a proxy in front of it',
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { server: outboundProxy ?? server, outboundProxy };
}

/** The value every bot has for `field` (all the same, or all unset). */
function shared(bots: BotsFile, field: 'server' | 'outboundProxy', problems: ConfigProblem[]): string | undefined {
  const all: BotConfig[] = [...bots.bots.values()];
  const values = new Set(all.map((bot) => bot[field]));
  if (values.size <= 1) return values.values().next().value;
  const first = all[0]!;
  for (const bot of all.filter((b) => b[field] !== first[field])) {
    problems.push({
      file: bots.file,
      path: `bots.${bot.name}.${field}`,
      message: `bot ${bot.name} has ${field} ${bot[field] ?? '(none)'}, bot ${first.name} ${first[field] ?? '(none)'}: the bots of one run share one ${field}`,
      hint: `set ${field} once, under defaults`,
    });
  }
  return undefined;
}
