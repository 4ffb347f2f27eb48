import { InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../../config/config-error.js';
import { InputFileError, readInputText } from '../../util/input-file.js';
import { isIP } from 'node:net';
import { TRANSPORT_PROTOCOLS, type TransportProtocol } from '../../sip/transport/types.js';
import { parseDnsServer } from '../../sip/locate/dns-server.js';
import type { Logger } from '../../util/logger.js';
import type { CliIo } from '../cli-io.js';
import type { CliLang } from '../cli-lang.js';
import { inLang, OptionValueError } from '../usage-zh.js';
import { readReason, sessionProblem } from '../../config/problem-text.js';

export interface CommandContext {
  io: CliIo;
  /** `--lang` of a lab or run invocation, read off its arguments (cli-lang.ts); 'en' for every other command. */
  lang: CliLang;
  /** The root logger, created (and pino loaded) when a command first asks for it. */
  logger: () => Promise<Logger>;
  setExitCode(code: number): void;
}

/** `--x <seconds>` parser: a positive number of seconds, returned in milliseconds. */
export function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new OptionValueError('expected a positive number of seconds', '应为正的秒数');
  return Math.round(n * 1000);
}

/** `--dns HOST:PORT` as `Resolver.setServers` takes it. */
export function dnsServer(value: string): string {
  try {
    return parseDnsServer(value);
  } catch (error) {
    throw new OptionValueError((error as Error).message, '应为 IP 地址加端口，例如 127.0.0.53:5353 或 [::1]:53');
  }
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}

/** `--x <ip>` parser: an IPv4 or IPv6 address, not a name (a bind address must be one of ours). */
export function ipAddress(value: string): string {
  if (isIP(value) === 0) throw new InvalidArgumentError('expected an IP address such as 127.0.0.1 or ::1');
  return value;
}

/** `--transport udp,tcp` parser: every item one of the transports sipbots speaks. */
export function transportList(value: string): TransportProtocol[] {
  const transports = value.split(',').map((t) => t.trim());
  const bad = transports.filter((t) => !TRANSPORT_PROTOCOLS.includes(t as TransportProtocol));
  if (bad.length > 0) throw new InvalidArgumentError(`unknown transport ${bad.join(', ')} (use ${TRANSPORT_PROTOCOLS.join(', ')})`);
  return transports as TransportProtocol[];
}

/** A comma-separated list that names at least one item (`--only ''` must not mean "everything"). */
export function nonEmptyList(value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new OptionValueError('expected at least one item, comma-separated', '至少要有一项，用逗号分隔');
  return items;
}

/** Resolves when the user interrupts; commands that run until then (proxy, relay) exit 130. */
export function interrupted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * `work`, unless the user interrupts first: then an InterruptedError (exit 130). For commands
 * with nothing to wind down (ladder, merge), so a long read does not outlast Ctrl-C.
 */
export async function unlessInterrupted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  return Promise.race([work, interrupted(signal).then(() => Promise.reject(new InterruptedError()))]);
}

export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor() {
    super('interrupted');
  }
}

/** `--register-timeout`, shared by lab and run: seconds on the command line, milliseconds inside. */
export function registerTimeoutOption(lang: CliLang): Option {
  return new Option('--register-timeout <seconds>', 'give up on an unanswered REGISTER after this long (exit code 3)').argParser(inLang(lang, seconds)).default(8000, '8');
}

/** `--ca <file>`: the PEM text, or a usage error naming the file. */
export async function readCaFile(file: string): Promise<string> {
  try {
    return await readInputText(file, 'config');
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    throw new ConfigError([{ file, path: '', ...sessionProblem.caFile(readReason(error)) }], { cause: error });
  }
}

/** Reads through `read`, naming the option in the error when the file is unusable: `--users /x: file not found`. */
export async function fileOfOption<T>(option: string, read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof InputFileError) throw new InputFileError(`${option} ${error.file}`, error.reason, { cause: error, problem: error.problem });
    throw error;
  }
}
