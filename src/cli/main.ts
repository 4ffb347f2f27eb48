import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { loadDotEnv } from '../config/env-substitution.js';
import type { Logger } from '../util/logger.js';
import type { CliIo } from './cli-io.js';
import { COMMANDS, commandNamed } from './command-table.js';
import type { CommandContext } from './commands/command-context.js';
import { ExitCode } from './exit-codes.js';
import { langOf, type CliLang } from './cli-lang.js';
import { ZH_HELP_AFTER_ERROR, zhUsageError } from './usage-zh.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * Runs one sipbots command and resolves with its exit code. Everything outside (streams,
 * environment, interruption) comes in through `io`, so tests call this in-process.
 */
export async function main(argv: readonly string[], io: CliIo = processIo(langOf(argv))): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  let logger: Logger | undefined;
  let logLevel = 'warn';
  const lang = langOf(argv);
  const context: CommandContext = {
    io,
    lang,
    // pino is loaded only by a command that logs, never for --help, --version or `load`.
    logger: async () => (logger ??= (await import('../util/logger.js')).createLogger({ level: logLevel as never, pretty: io.stderr.isTTY === true })),
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const output = {
    writeOut: (s: string) => io.stdout.write(s),
    writeErr: (s: string) => io.stderr.write(s),
    ...(lang === 'zh' ? { outputError: (s: string, write: (text: string) => void) => write(zhUsageError(s)) } : {}),
  };
  const program = new Command('sipbots')
    .description('Headless SIP bots: lab cases, scenarios, captures and load against a SIP proxy')
    .version(version, '-V, --version')
    .addOption(new Option('--log-level <level>', 'log detail on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'))
    .showHelpAfterError(lang === 'zh' ? ZH_HELP_AFTER_ERROR : '(run with --help for usage)')
    .configureOutput(output)
    .exitOverride()
    .hook('preAction', (command) => {
      logLevel = command.opts().logLevel as string;
    });
  // Only the command being run is imported (with its dependencies: sip.js, werift, zod...);
  // the others are listed by name and description, which is all --help needs.
  const chosen = commandNamed(argv);
  for (const entry of COMMANDS) {
    const command = entry === chosen ? (await entry.load())(context) : new Command(entry.name);
    program.addCommand(command.description(entry.description));
  }
  for (const command of program.commands) command.exitOverride().configureOutput(output);
  try {
    // A .env file feeds the real process environment only, never an injected one (tests).
    if (io.env === process.env) loadDotEnv('.env');
    await program.parseAsync(['node', 'sipbots', ...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; everything else commander rejects is usage.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (io.signal.aborted) return ExitCode.Interrupted;
    const { errorText } = await import('./error-text.js');
    io.stderr.write(`${errorText(error, lang)}\n`);
    return (await import('./exit-for-error.js')).exitCodeFor(error);
  }
  return exitCode;
}

/** The real process: stdout/stderr, env, and SIGINT/SIGTERM (a second one exits at once). */
export function processIo(lang: CliLang = 'en'): CliIo {
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(ExitCode.Interrupted);
    process.stderr.write(lang === 'zh' ? '\n已中断：正在挂断呼叫并注销（再按一次 Ctrl-C 立即退出）\n' : '\ninterrupted: hanging up calls and unregistering (press Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal };
}
