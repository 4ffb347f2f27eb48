import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(new URL('../../..', import.meta.url).pathname);

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One `sipbots …` process from source (tsx), as a pod would run it; resolves when it exits. */
export function runSipbots(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Exited> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'test/scale/support/cli-entry.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}
