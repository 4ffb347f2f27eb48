import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Makes a fresh run folder and never reuses one: `runs/2026-11-24T21-40-05` and, if that
 * exists already (two runs in the same second), `…-2`, `…-3`. An explicit `--out` directory
 * is created if missing and refused if it already holds a run.
 */
export async function createRunFolder(out: string | undefined, now: Date = new Date()): Promise<string> {
  if (out !== undefined) {
    await mkdir(out, { recursive: true });
    const { readdir } = await import('node:fs/promises');
    const existing = await readdir(out);
    if (existing.includes('summary.json') || existing.includes('messages.jsonl')) {
      throw new Error(`${out} already holds a run; choose another --out (runs are never overwritten)`);
    }
    return out;
  }
  const stamp = now.toISOString().replace(/:/g, '-').replace(/\..*$/, '');
  await mkdir('runs', { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const dir = join('runs', attempt === 1 ? stamp : `${stamp}-${attempt}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
