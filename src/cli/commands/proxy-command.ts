import { Command, InvalidArgumentError, Option } from 'commander';
import { join } from 'node:path';
import { loadBotsFile } from '../../config/load-bots.js';
import { EventStream } from '../../events/event-stream.js';
import { JsonlWriter } from '../../events/jsonl-writer.js';
import { startEmbeddedServer } from '../../lab/embedded-server.js';
import { createRunFolder } from '../../lab/run-folder.js';
import type { CancelledInviteStatus } from '../../proxy/proxy-options.js';
import { floodSampler, FLOOD_LOG_PER_SECOND } from '../../proxy/flood-sampler.js';
import { loadUsersFile, usersFromBots } from '../../proxy/users.js';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, formatEndpoint, TRANSPORT_PROTOCOLS, type TransportProtocol } from '../../sip/transport/types.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../sip/transport/stream-framer.js';
import { ExitCode } from '../exit-codes.js';
import { fileOfOption, interrupted, port, seconds, transportList, type CommandContext } from './command-context.js';
import { packageFile } from '../../util/package-files.js';

function positiveCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${text} is not a positive whole number`);
  return n;
}

export function proxyCommand(context: CommandContext): Command {
  return new Command('proxy')
    .option('--port <port>', 'port for every listener (0: free ports)', port, 0)
    .option('--listen <address>', 'address to bind (default 127.0.0.1; anything else is your explicit choice)', '127.0.0.1')
    .option('--domain <domain>', 'SIP domain and digest realm', 'lab.test')
    .option('--users <file>', 'user=password lines (default: the accounts of --bots)')
    .addOption(new Option('--bots <file>', 'bots file whose accounts may register').default(packageFile('bots/lab.yaml'), "the package's bots/lab.yaml"))
    .addOption(new Option('--transport <list>', `comma-separated transports to listen on (${TRANSPORT_PROTOCOLS.join(', ')})`).argParser(transportList).default(['udp', 'tcp'], 'udp,tcp'))
    .option('--invite-timeout <seconds>', 'INVITE timer after a provisional, like Kamailio fr_inv_timer (default 120, as Kamailio): the caller gets 408 when nobody answers in time', seconds)
    .option('--max-expires <seconds>', "the longest registration granted, like Kamailio's registrar max_expires: a REGISTER asking for more gets this in the 200 (default: what was asked)", positiveCount)
    .option('--min-expires <seconds>', "the shortest registration accepted, like Kamailio's registrar min_expires with min_expires_mode 1: a REGISTER asking for less (not 0) gets 423 Interval Too Brief with Min-Expires (default: no minimum)", positiveCount)
    .addOption(new Option('--cancelled-invite-status <status>', 'what a caller gets for an INVITE it cancelled: 487 relayed (RFC 3261), or 408 as iptel.org answered').choices(['408', '487']).default('487'))
    .addOption(
      new Option('--idle-timeout <seconds>', 'TCP/TLS/WS: close a connection that holds an incomplete message, or has sent no message yet, this long (keep-alive CRLFs between messages are fine)')
        .argParser(seconds)
        .default(DEFAULT_IDLE_TIMEOUT_MS, String(DEFAULT_IDLE_TIMEOUT_MS / 1000)),
    )
    .option('--max-connections <n>', 'TCP/TLS/WS: connections open at once per listener; the excess is refused', positiveCount, DEFAULT_MAX_CONNECTIONS)
    .option('--max-message-bytes <n>', 'TCP/TLS: bytes buffered per connection for one message; a larger one cuts the connection', positiveCount, DEFAULT_MAX_MESSAGE_BYTES)
    .option('--out <dir>', `also write every message to <dir>/messages.jsonl (a new or empty folder); messages of unauthenticated requests at most ${FLOOD_LOG_PER_SECOND} a second, the rest counted`)
    .option('--force', 'write into an --out folder that is not empty')
    .action(async (options: Record<string, unknown>) => {
      const { io } = context;
      const transports = options.transport as TransportProtocol[];
      const users = options.users ? await fileOfOption('--users', loadUsersFile(options.users as string)) : usersFromBots((await loadBotsFile(options.bots as string, io.env)).bots.values());
      if (users.size === 0) io.stderr.write(`warning: ${options.users as string} lists no users: every REGISTER and call will be refused\n`);
      const events = new EventStream();
      const runDir = options.out !== undefined ? await createRunFolder(options.out as string, { force: options.force === true }) : undefined;
      const server = await startEmbeddedServer({
        transports,
        users,
        domain: options.domain as string,
        events,
        bindAddress: options.listen as string,
        port: options.port as number,
        inviteTimeoutMs: options.inviteTimeout as number | undefined,
        cancelledInviteStatus: Number(options.cancelledInviteStatus) as CancelledInviteStatus,
        maxExpiresS: options.maxExpires as number | undefined,
        minExpiresS: options.minExpires as number | undefined,
        logger: await context.logger(),
        limits: { idleTimeoutMs: options.idleTimeout as number, maxConnections: options.maxConnections as number, maxMessageBytes: options.maxMessageBytes as number },
      });
      // A flood of unauthenticated requests is sampled, not written whole (flood-sampler.ts).
      const sampled = runDir ? floodSampler(events, server.proxy.statelessTag) : undefined;
      const jsonl = runDir && sampled ? new JsonlWriter(join(runDir, 'messages.jsonl'), sampled.logged) : undefined;
      for (const [protocol, endpoint] of server.endpoints) io.stdout.write(`listening ${protocol} ${formatEndpoint(endpoint)}\n`);
      io.stdout.write(`domain ${options.domain as string}, ${users.size} users; Ctrl-C stops\n`);
      await interrupted(io.signal);
      await server.stop();
      sampled?.flush();
      await jsonl?.close();
      // Stopped by SIGINT/SIGTERM, like every other command: 130.
      context.setExitCode(ExitCode.Interrupted);
    });
}
