import { constants } from 'node:fs';
import { access, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** An output folder or file that cannot be used for a new run (exit 2); `zh` says the same for `--lang zh`. */
export class RunFolderError extends Error {
  override readonly name = 'RunFolderError';
  constructor(
    message: string,
    readonly zh: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface RunFolderOptions {
  now?: Date;
  root?: string;
  /** The option that named `out`, for messages (`--out`, `--capture`). */
  option?: string;
  /** `--force`: write into a folder that already holds files (ours are overwritten, others kept). */
  force?: boolean;
}

/**
 * Makes a fresh run folder and never reuses one: `runs/2026-11-24T21-40-05` and, if that
 * exists already (two runs in the same second), `…-2`, `…-3`. An explicit `--out` directory
 * is created if missing and refused if it holds anything (a `report.html` of the user's own
 * would be overwritten) unless `force`; a file, device or unwritable place is refused always.
 */
export async function createRunFolder(out: string | undefined, options: RunFolderOptions = {}): Promise<string> {
  const now = options.now ?? new Date();
  const root = options.root ?? 'runs';
  if (out !== undefined) {
    const option = options.option ?? '--out';
    const existing = await folderEntries(out, option);
    if (existing === undefined) await makeFolder(out, option);
    else if (existing.length > 0 && options.force !== true) {
      const holdsRun = existing.includes('summary.json') || existing.includes('messages.jsonl');
      const what = holdsRun ? 'already holds a run' : `is not empty (${existing.length} ${existing.length === 1 ? 'entry' : 'entries'})`;
      const zhWhat = holdsRun ? '里已经有一次运行' : `不是空的（${existing.length} 项）`;
      throw new RunFolderError(`${option} ${out} ${what}; choose another folder, or add --force to write into it`, `${option} ${out} ${zhWhat}；换一个文件夹，或加 --force 写入其中`);
    }
    await assertWritable(out, option);
    return out;
  }
  const stamp = now.toISOString().replace(/:/g, '-').replace(/\..*$/, '');
  await mkdir(root, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const dir = join(root, attempt === 1 ? stamp : `${stamp}-${attempt}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** The names in `out`, or undefined when nothing is there yet; anything but a folder is refused. */
async function folderEntries(out: string, option: string): Promise<string[] | undefined> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(out)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw folderError(out, option, error);
  }
  if (!isFolder) throw new RunFolderError(`${option} ${out} is a file, not a folder; name a new or empty folder`, `${option} ${out} 是文件，不是文件夹；请给出新的或空的文件夹`);
  try {
    return await readdir(out);
  } catch (error) {
    throw folderError(out, option, error);
  }
}

/**
 * Creates `out` and its missing parents one level at a time. Not `mkdir({ recursive: true })`:
 * under /proc it retries forever (`--out /proc/x` hung until SIGKILL).
 */
async function makeFolder(out: string, option: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(out); ; dir = dirname(dir)) {
    const exists = await stat(dir).then(
      () => true,
      () => false,
    );
    if (exists || dirname(dir) === dir) break;
    missing.unshift(dir);
  }
  for (const dir of missing) {
    try {
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw folderError(out, option, error);
    }
  }
}

async function assertWritable(out: string, option: string): Promise<void> {
  try {
    await access(out, constants.W_OK);
  } catch (error) {
    throw folderError(out, option, error);
  }
}

function folderError(out: string, option: string, error: unknown): RunFolderError {
  const code = (error as NodeJS.ErrnoException).code;
  const unwritable = code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
  const insideFile = code === 'ENOTDIR' || code === 'EEXIST';
  const reason = unwritable ? 'is not writable' : insideFile ? 'is inside a file, not a folder' : `cannot be created (${code ?? (error as Error).message})`;
  const zhReason = unwritable ? '不可写' : insideFile ? '位于一个文件之内，而不是文件夹' : `无法创建${code === undefined ? '' : `（${code}）`}`;
  return new RunFolderError(`${option} ${out} ${reason}; name a new or empty folder you can write to`, `${option} ${out} ${zhReason}；请给出可写的新文件夹或空文件夹`, { cause: error });
}

/**
 * Checks files a run will write at its end (`--json`, `--junit`) before it starts: an existing
 * file is refused unless `force`, and a path whose folder is missing or unwritable is refused
 * always, so a long run never ends in "cannot write".
 */
export async function checkOutputFiles(files: readonly { option: string; path: string | undefined }[], force: boolean): Promise<void> {
  for (const { option, path } of files) {
    if (path === undefined) continue;
    let exists: 'file' | 'other' | undefined;
    try {
      exists = (await stat(path)).isFile() ? 'file' : 'other';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new RunFolderError(`${option} ${path}: cannot be written (${code})`, `${option} ${path}：无法写入（${code}）`, { cause: error });
    }
    if (exists === 'other') throw new RunFolderError(`${option} ${path} is a folder or special file, not a file to write`, `${option} ${path} 是文件夹或特殊文件，不是可写入的文件`);
    if (exists === 'file' && !force) throw new RunFolderError(`${option} ${path} exists; choose another file, or add --force to overwrite it`, `${option} ${path} 已存在；换一个文件，或加 --force 覆盖它`);
    try {
      await access(exists ? path : dirname(resolve(path)), constants.W_OK);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new RunFolderError(`${option} ${path} cannot be written (${missing ? 'its folder does not exist' : 'not writable'})`, `${option} ${path} 无法写入（${missing ? '所在文件夹不存在' : '不可写'}）`, { cause: error });
    }
  }
}
