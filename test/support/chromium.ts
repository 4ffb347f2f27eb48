import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runToEnd, type Finished } from '../capture/fixtures/peers.js';

/** Flags from the machine notes: no sandbox as root, and no background network at start. */
function chromiumArgs(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    '--enable-logging=stderr',
    '--v=0',
  ];
}

/** Headless Chromium (Debian package chromium) with a fresh profile under `dir`; it must exit 0. */
export async function chromium(dir: string, args: string[]): Promise<Finished> {
  const result = await runToEnd('chromium', [...chromiumArgs(mkdtempSync(join(dir, 'profile-'))), ...args], { timeoutMs: 60_000 });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** Page errors Chromium logs: uncaught exceptions, console errors, resources that failed to load. */
export function pageErrors(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /CONSOLE\(|Uncaught|net::ERR_|Failed to load resource/.test(line));
}
