import { Command, InvalidArgumentError } from 'commander';
import { isIP } from 'node:net';
import { FaultSpecError, parseDelayPair, parsePercentPair } from '../../relay/fault-spec.js';
import { formatRelayStats } from '../../relay/format-stats.js';
import { RelayConfigError, startRelay, type RelayOptions } from '../../relay/udp-relay.js';
import { formatEndpoint, type Endpoint } from '../../sip/transport/types.js';
import { ExitCode } from '../exit-codes.js';
import { interrupted, type CommandContext } from './command-context.js';

/**
 * `sipbots relay`: a lossy, delaying, duplicating, reordering UDP relay between SIP clients and
 * one server, for fault tests. Runs until interrupted, then prints its counters.
 */
export function relayCommand(context: CommandContext): Command {
  return new Command('relay')
    .requiredOption('--target <host:port>', 'the server to relay to', endpoint)
    .option('--listen <host:port>', 'address the clients send to', endpoint, { address: '127.0.0.1', port: 0 })
    .option('--loss <percent>', 'datagrams dropped, e.g. 10% (or 10%/20%: towards target / towards clients)', percentPair('--loss'), [0, 0])
    .option('--dup <percent>', 'datagrams sent twice', percentPair('--dup'), [0, 0])
    .option('--delay <delay>', 'one-way delay with jitter, e.g. 20ms±10ms or 20ms+-10ms', delayPair, [[0, 0], [0, 0]])
    .option('--reorder <percent>', 'datagrams held back so later ones overtake them', percentPair('--reorder'), [0, 0])
    .option('--seed <n>', 'PRNG seed, to replay the same faults (default: the clock)', seed)
    .action(async (options: Record<string, unknown>) => {
      const { io } = context;
      const loss = options.loss as [number, number];
      const dup = options.dup as [number, number];
      const delay = options.delay as [[number, number], [number, number]];
      const reorder = options.reorder as [number, number];
      const seedValue = (options.seed as number | undefined) ?? Date.now() % 2 ** 31;
      const relayOptions: RelayOptions = {
        target: options.target as Endpoint,
        listen: options.listen as Endpoint,
        seed: seedValue,
        toTarget: { loss: loss[0], duplicate: dup[0], delayMs: delay[0][0], jitterMs: delay[0][1], reorder: reorder[0] },
        toClient: { loss: loss[1], duplicate: dup[1], delayMs: delay[1][0], jitterMs: delay[1][1], reorder: reorder[1] },
      };
      let relay;
      try {
        relay = await startRelay(relayOptions);
      } catch (error) {
        if (!(error instanceof RelayConfigError)) throw error;
        io.stderr.write(`sipbots relay: ${error.message}\n`);
        context.setExitCode(ExitCode.Usage);
        return;
      }
      io.stdout.write(`relay udp ${formatEndpoint(relay.endpoint)} -> ${formatEndpoint(relay.target)} (seed ${seedValue}); Ctrl-C stops\n`);
      await interrupted(io.signal);
      await relay.stop();
      io.stdout.write(formatRelayStats(relay.stats()));
      // Stopped by SIGINT/SIGTERM, like every other command: 130.
      context.setExitCode(ExitCode.Interrupted);
    });
}

function endpoint(value: string): Endpoint {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value.trim());
  const address = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!address || !isIP(address) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected an IP address and port, e.g. 127.0.0.1:5060');
  }
  return { address, port };
}

function percentPair(option: string): (value: string) => [number, number] {
  return (value) => usage(() => parsePercentPair(option, value));
}

function delayPair(value: string): [[number, number], [number, number]] {
  return usage(() => parseDelayPair('--delay', value));
}

function seed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof FaultSpecError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}
