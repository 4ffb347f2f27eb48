/**
 * Ends the process with `code` once everything written to stdout and stderr has left it.
 *
 * When stdout is a pipe, Node writes to it asynchronously: `process.exit()` right after a large
 * write drops whatever the reader has not taken yet (a ladder piped to `wc -c` stopped at 64 KiB,
 * the pipe's buffer). An empty write's callback runs once every earlier write is flushed, so
 * waiting for it on both streams delivers the output whole. A reader that went away (`| head`)
 * is not an error of ours: EPIPE ends the wait. The exit still happens, so stray protocol timers
 * (a REGISTER that will never be answered) cannot keep the process alive.
 */
export async function exitWhenFlushed(code: number, streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): Promise<never> {
  await Promise.all(streams.map(flushed));
  process.exit(code);
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    // A closed pipe reports EPIPE as an error event; the output has nowhere to go, so stop waiting.
    stream.once('error', () => resolve());
    stream.write('', () => resolve());
  });
}
