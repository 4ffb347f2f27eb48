import type { BotConfig, BotsFile } from '../config/bots-schema.js';
import { ConfigError, type ConfigProblem } from '../config/config-error.js';
import { sessionProblem } from '../config/problem-text.js';

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
      ...sessionProblem.serverAndOutboundProxy(server, outboundProxy),
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
      ...sessionProblem.botsDisagree(field, bot.name, bot[field], first.name, first[field]),
    });
  }
  return undefined;
}
