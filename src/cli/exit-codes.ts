/** Process exit codes: part of the contract scripts and CI rely on. Never renumber. */
export const ExitCode = {
  Ok: 0,
  /** A case, expectation or threshold failed. */
  Failed: 1,
  /** Bad command line, configuration or scenario file. */
  Usage: 2,
  /** The server could not be reached, or registration failed. */
  Unreachable: 3,
  /** SIGINT / SIGTERM. */
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
