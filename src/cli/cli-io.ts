/** The outside world of one CLI invocation, injected so tests run the CLI in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Fires when the user interrupts (SIGINT/SIGTERM); the command winds down and exits 130. */
  signal: AbortSignal;
}
