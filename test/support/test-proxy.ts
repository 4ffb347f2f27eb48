import type { BotsFile } from '../../src/config/bots-schema.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { usersFromBots } from '../../src/proxy/users.js';

/** The lab bots and an embedded UDP proxy that knows their accounts. */
export async function startTestProxy(options: { events?: EventStream; inviteTimeoutMs?: number; port?: number } = {}): Promise<{ server: EmbeddedServer; bots: BotsFile }> {
  const bots = await loadBotsFile('bots/lab.yaml', {});
  const server = await startEmbeddedServer({
    transports: ['udp'],
    users: usersFromBots(bots.bots.values()),
    domain: 'lab.test',
    events: options.events ?? new EventStream(),
    inviteTimeoutMs: options.inviteTimeoutMs,
    port: options.port,
  });
  return { server, bots };
}
