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

/**
 * `sipbots proxy --transport udp` (plus `args`) in this process, on a free port; `listening`
 * resolves with its address once it listens, `stop` interrupts it and resolves with its exit code.
 */
export function startProxyCommand(args: string[] = []): { listening: Promise<string>; stop: () => Promise<number> } {
  const abort = new AbortController();
  let output = '';
  let resolveAddress: (address: string) => void = () => {};
  const listening = new Promise<string>((resolve) => (resolveAddress = resolve));
  const exited = main(['proxy', '--transport', 'udp', ...args], {
    stdout: {
      write: (text: string) => {
        output += text;
        const address = /^listening udp (\S+)$/m.exec(output)?.[1];
        if (address) resolveAddress(address);
      },
    },
    stderr: { write: () => undefined },
    env: { PATH: process.env.PATH },
    signal: abort.signal,
  });
  return { listening, stop: () => (abort.abort(), exited) };
}
