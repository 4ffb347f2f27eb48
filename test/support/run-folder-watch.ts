import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Waits until a line of the run folder's messages.jsonl, which a run writes as it goes, passes
 * `matches`: how a test acts at a moment of a run in progress (a call ringing, a case started)
 * instead of after a fixed delay. `runDir` is read on each poll, for a folder named late.
 */
export async function waitForMessagesLine(runDir: () => string, matches: (line: string) => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const file = runDir() === '' ? '' : join(runDir(), 'messages.jsonl');
    if (file !== '' && existsSync(file) && readFileSync(file, 'utf8').split('\n').some(matches)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
