import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli } from '../support/run-cli.js';

/** Files of the user's are never overwritten, and only regular files of sane size are read (issue 14, items 6 and 8). */
const tempDir = () => mkdtempSync(join(tmpdir(), 'sipbots-files-'));

/** A UDP socket standing in for a proxy under test: counts what reaches it. */
async function listeningProxy(): Promise<{ target: string; received: () => number; close: () => void }> {
  const socket = createSocket('udp4');
  let received = 0;
  socket.on('message', () => received++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { target: `127.0.0.1:${socket.address().port}`, received: () => received, close: () => socket.close() };
}

describe('output paths are checked before the first packet, and nothing is overwritten without --force', () => {
  it('lab --out a folder holding a report.html of the user\'s own is refused, the file untouched', async () => {
    const out = tempDir();
    writeFileSync(join(out, 'report.html'), 'mine');
    const { code, stderr } = await runCli(['lab', '--only', 'reject', '--out', out]);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain(`--out ${out} is not empty`);
    expect(stderr).toContain('--force');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe('mine');
  });

  it.each([
    ['--json', 'exists'],
    ['--junit', 'exists'],
  ])('load %s FILE that exists is refused (exit 2) and not one packet is sent', async (option) => {
    const proxy = await listeningProxy();
    const file = join(tempDir(), 'result');
    writeFileSync(file, 'mine');
    try {
      const { code, stderr } = await runCli(['load', '--proxy', proxy.target, '--accounts', 'u{1..2}@lab.test', '--scenario', 'options', '--rate', '50', '--calls', '5', option, file], { env: { SIPBOTS_PASSWORD: 'x' } });
      expect(stderr).toContain(`${option} ${file} exists`);
      expect(code).toBe(ExitCode.Usage);
      expect(readFileSync(file, 'utf8')).toBe('mine');
      await new Promise((r) => setTimeout(r, 200));
      expect(proxy.received()).toBe(0);
    } finally {
      proxy.close();
    }
  });

  it('an unwritable --json path fails at once, before the run, not after it', async () => {
    const proxy = await listeningProxy();
    try {
      const started = Date.now();
      const { code, stderr } = await runCli(['load', '--proxy', proxy.target, '--accounts', 'u{1..2}@lab.test', '--scenario', 'options', '--rate', '50', '--duration', '30', '--json', '/nonexistent-folder/r.json'], { env: { SIPBOTS_PASSWORD: 'x' } });
      expect(stderr).toContain('--json /nonexistent-folder/r.json cannot be written');
      expect(code).toBe(ExitCode.Usage);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(proxy.received()).toBe(0);
    } finally {
      proxy.close();
    }
  });

  it('merge --json over an existing file is refused; --force overwrites it', async () => {
    const file = join(tempDir(), 'merged.json');
    writeFileSync(file, 'mine');
    const refused = await runCli(['merge', '/nonexistent-shard.json', '--json', file]);
    expect(refused.stderr).toContain(`--json ${file} exists`);
    expect(refused.code).toBe(ExitCode.Usage);
    const forced = await runCli(['merge', '/nonexistent-shard.json', '--json', file, '--force']);
    expect(forced.stderr).not.toContain('exists');
  });

  it('proxy --out into a non-empty folder needs --force, and keeps the user\'s files', async () => {
    const out = tempDir();
    writeFileSync(join(out, 'notes.txt'), 'mine');
    expect((await runCli(['proxy', '--out', out])).code).toBe(ExitCode.Usage);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const forced = await runCli(['proxy', '--out', out, '--force'], { signal: controller.signal });
    expect(forced.code).toBe(ExitCode.Interrupted);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('special files are refused at once, not read', () => {
  it('ladder /dev/zero exits 2 at once instead of growing without limit', async () => {
    const started = Date.now();
    const { code, stderr } = await runCli(['ladder', '/dev/zero']);
    expect(stderr).toContain('ladder /dev/zero: is not a regular file');
    expect(code).toBe(ExitCode.Usage);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a bots file whose play: is /dev/zero is a configuration error naming the line', async () => {
    const bots = join(tempDir(), 'bots.yaml');
    writeFileSync(bots, 'bots:\n  alice:\n    user: alice\n    password: a\n    play: /dev/zero\n');
    const { code, stderr } = await runCli(['lab', '--bots', bots, '--only', 'reject']);
    expect(stderr).toMatch(new RegExp(`${bots}:5: bots\\.alice\\.play: cannot read /dev/zero: is not a regular file`));
    expect(code).toBe(ExitCode.Usage);
  });

  it('a FIFO given as --users is refused without blocking on it', async () => {
    const fifo = join(tempDir(), 'users.fifo');
    execFileSync('mkfifo', [fifo]);
    const { code, stderr } = await runCli(['proxy', '--users', fifo]);
    expect(stderr).toContain(`--users ${fifo}: is not a regular file`);
    expect(code).toBe(ExitCode.Usage);
  });

  it('a bots file larger than a configuration file may be is refused, with its size', async () => {
    const dir = tempDir();
    const bots = join(dir, 'bots.yaml');
    writeFileSync(bots, `# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    const { code, stderr } = await runCli(['lab', '--bots', bots, '--only', 'reject']);
    expect(stderr).toMatch(/is 5\.0 MB, more than the 4\.0 MB a configuration file may be/);
    expect(code).toBe(ExitCode.Usage);
  });
});
