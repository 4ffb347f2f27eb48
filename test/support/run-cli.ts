import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the sipbots CLI in this process, as a script would, and collects what it printed. */
export async function runCli(argv: string[], options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? { PATH: process.env.PATH },
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout, stderr };
}
