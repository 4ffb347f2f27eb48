import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, ROOT } from '../security/support/spawn-cli.js';
import { writeManyCalls } from './support/many-calls.js';

/**
 * Output larger than a pipe's buffer (64 KiB) reaches the reader whole: the process used to exit
 * before the pipe drained, so `ladder … | wc -c` printed 65536 with exit 0.
 */
beforeAll(() => buildCli(), 120_000);

const sipbots = resolve(ROOT, 'bin/sipbots.js');
const shell = (script: string, env: Record<string, string>) =>
  execFileSync('/bin/sh', ['-c', script], { env: { PATH: process.env.PATH, NODE: process.execPath, SIPBOTS: sipbots, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

describe('output through a pipe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipbots-pipe-'));
  const jsonl = join(dir, 'messages.jsonl');
  writeManyCalls(jsonl, 3500);

  it('a ladder of more than 1 MB piped to wc -c has every byte the same ladder written to a file has', () => {
    const file = join(dir, 'ladder.txt');
    shell('"$NODE" "$SIPBOTS" ladder "$F" > "$OUT"', { F: jsonl, OUT: file });
    const fileBytes = statSync(file).size;
    expect(fileBytes).toBeGreaterThan(1024 * 1024);
    const piped = Number(shell('"$NODE" "$SIPBOTS" ladder "$F" | wc -c', { F: jsonl }).trim());
    expect(piped).toBe(fileBytes);
  }, 60_000);

  it('--format html piped to tail ends with </html>, and the exit status is still the command\'s', () => {
    const tail = shell('"$NODE" "$SIPBOTS" ladder --format html "$F" | tail -c 20', { F: jsonl });
    expect(tail).toMatch(/<\/html>\n/);
    const status = shell('"$NODE" "$SIPBOTS" ladder --format html "$F" | cat > /dev/null; echo $?', { F: jsonl }).trim();
    expect(status).toBe('0');
  }, 60_000);

  it('a reader that stops early (| head) is not an error and does not hang', () => {
    const head = shell('"$NODE" "$SIPBOTS" ladder "$F" | head -c 100 | wc -c', { F: jsonl }).trim();
    expect(Number(head)).toBe(100);
  }, 60_000);
});
