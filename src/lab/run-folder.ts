import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** An output folder that cannot be used for a new run. */
export class RunFolderError extends Error {
  override readonly name = 'RunFolderError';
}

/**
 * Makes a fresh run folder and never reuses one: `runs/2026-11-24T21-40-05` and, if that
 * exists already (two runs in the same second), `…-2`, `…-3`. An explicit `--out` directory
 * is created if missing and refused if it already holds a run.
 */
export async function createRunFolder(out: string | undefined, options: { now?: Date; root?: string } = {}): Promise<string> {
  const now = options.now ?? new Date();
  const root = options.root ?? 'runs';
  if (out !== undefined) {
    await mkdir(out, { recursive: true });
    const existing = await readdir(out);
    if (existing.includes('summary.json') || existing.includes('messages.jsonl')) {
      throw new RunFolderError(`${out} already holds a run; choose another --out (runs are never overwritten)`);
    }
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
