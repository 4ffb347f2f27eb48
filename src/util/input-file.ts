import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

/**
 * The largest file of each kind sipbots reads. A user's path may name anything (`/dev/zero`, a
 * FIFO, a 50 GB log): reading it whole would hang or exhaust memory, so only regular files
 * within these sizes are read.
 */
export const INPUT_FILE_LIMITS = {
  /** Bots and scenario YAML, CA certificates. */
  config: 4 * 1024 * 1024,
  /** `proxy --users` and `load --accounts` lists (a million accounts fit). */
  accounts: 64 * 1024 * 1024,
  /** `play:` WAV files: 8 kHz mono 16-bit, over an hour. */
  wav: 64 * 1024 * 1024,
  /** messages.jsonl, pcap/pcapng captures and shard results read by ladder and merge. */
  capture: 1024 * 1024 * 1024,
} as const;

export type InputFileKind = keyof typeof INPUT_FILE_LIMITS;

const KIND_NAMES: Record<InputFileKind, string> = { config: 'configuration', accounts: 'accounts', wav: 'WAV', capture: 'capture' };

/** Why a path cannot be read, for a reader that words it in another language than `reason`. */
export type InputFileProblem = 'not-found' | 'permission-denied' | 'not-a-folder-on-path' | 'directory' | 'not-regular' | 'too-large' | 'unreadable';

/** A path that cannot be read as an input file; `reason` is short (`file not found`, `is a directory`). */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
  readonly problem: InputFileProblem;
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown; problem?: InputFileProblem },
  ) {
    super(`${file}: ${reason}`, options);
    this.problem = options?.problem ?? 'unreadable';
  }
}

/** Reads a regular file of at most the size its kind allows; otherwise an InputFileError saying why. */
export async function readInputFile(file: string, kind: InputFileKind): Promise<Buffer> {
  let stats: Stats;
  try {
    stats = await stat(file);
  } catch (error) {
    throw unreadable(file, error);
  }
  checkStats(file, stats, kind);
  try {
    // Asynchronous: the read runs in libuv's pool in chunks, so SIGINT/SIGTERM still reach us.
    return await readFile(file);
  } catch (error) {
    throw unreadable(file, error);
  }
}

/** The same checks for the few synchronous readers (bots file validation). */
export function readInputFileSync(file: string, kind: InputFileKind): Buffer {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    throw unreadable(file, error);
  }
  checkStats(file, stats, kind);
  try {
    return readFileSync(file);
  } catch (error) {
    throw unreadable(file, error);
  }
}

export async function readInputText(file: string, kind: InputFileKind): Promise<string> {
  return (await readInputFile(file, kind)).toString('utf8');
}

function checkStats(file: string, stats: Stats, kind: InputFileKind): void {
  if (stats.isDirectory()) throw new InputFileError(file, 'is a directory, not a file', { problem: 'directory' });
  if (!stats.isFile()) throw new InputFileError(file, 'is not a regular file (a device, FIFO or socket is never read)', { problem: 'not-regular' });
  const limit = INPUT_FILE_LIMITS[kind];
  if (stats.size > limit) throw new InputFileError(file, `is ${megabytes(stats.size)}, more than the ${megabytes(limit)} a ${KIND_NAMES[kind]} file may be`, { problem: 'too-large' });
}

function unreadable(file: string, error: unknown): InputFileError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : code === 'ENOTDIR' ? 'a folder on its path is a file' : `cannot read (${code ?? (error as Error).message})`;
  const problem = code === 'ENOENT' ? 'not-found' : code === 'EACCES' ? 'permission-denied' : code === 'ENOTDIR' ? 'not-a-folder-on-path' : 'unreadable';
  return new InputFileError(file, reason, { cause: error, problem });
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}
