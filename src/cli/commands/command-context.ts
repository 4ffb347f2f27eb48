import { InvalidArgumentError } from 'commander';
import type { Logger } from '../../util/logger.js';
import type { CliIo } from '../cli-io.js';

export interface CommandContext {
  io: CliIo;
  logger: () => Logger;
  setExitCode(code: number): void;
}

/** `--x <seconds>` parser: a positive number of seconds, returned in milliseconds. */
export function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return Math.round(n * 1000);
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}
