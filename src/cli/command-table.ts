import type { Command } from 'commander';
import type { CommandContext } from './commands/command-context.js';

type CommandFactory = (context: CommandContext) => Command;

export interface CommandEntry {
  name: string;
  description: string;
  /** Imports the command's module only when it runs, so start-up pays for one command at most. */
  load(): Promise<CommandFactory>;
}

/** Every sipbots command, in `--help` order; the single place their one-line descriptions live. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'lab',
    description: 'run the classic SIP lab cases unattended and judge each against its expected flow',
    load: async () => (await import('./commands/lab-command.js')).labCommand,
  },
  {
    name: 'run',
    description: 'run scenario files against a server (or the embedded proxy) and check every leg',
    load: async () => (await import('./commands/run-command.js')).runCommand,
  },
  {
    name: 'proxy',
    description: 'run the embedded iptel-like lab registrar/proxy until interrupted',
    load: async () => (await import('./commands/proxy-command.js')).proxyCommand,
  },
  {
    name: 'ladder',
    description: 'draw the SIP ladder of a messages.jsonl, a sipbots pcapng, or any pcap/pcapng of SIP (UDP, TCP, WebSocket, through tunnels)',
    load: async () => (await import('./commands/ladder-command.js')).ladderCommand,
  },
  {
    name: 'scenario',
    description: 'make scenario files: `scenario from-capture FILE` turns the calls of a pcap/pcapng into a scenario and bots file that replay them',
    load: async () => (await import('./commands/scenario-command.js')).scenarioCommand,
  },
  {
    name: 'relay',
    description: 'UDP relay that drops, duplicates, delays and reorders datagrams between clients and one SIP server',
    load: async () => (await import('./commands/relay-command.js')).relayCommand,
  },
  {
    name: 'load',
    description: 'stress a SIP proxy with many lean load-mode bots: calls, registrations or OPTIONS per second, with HDR latencies and thresholds',
    load: async () => (await import('./commands/load-command.js')).loadCommand,
  },
  {
    name: 'merge',
    description: 'merge the results of sipbots load --shard I/N runs exactly (histograms added, counts summed, timelines aligned) and judge thresholds on the whole',
    load: async () => (await import('./commands/merge-command.js')).mergeCommand,
  },
];

/**
 * The command an argument list runs (`help X` asks for X), skipping the global options before it;
 * undefined for `--help`, `--version` or an unknown name.
 */
export function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-')) i += argv[i] === '--log-level' ? 2 : 1;
  const name = argv[i] === 'help' ? argv[i + 1] : argv[i];
  return COMMANDS.find((entry) => entry.name === name);
}
