import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingPath } from '../../src/bot/rtp-media.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli } from '../support/run-cli.js';
import { writeManyCalls } from './support/many-calls.js';

/**
 * A usage mistake exits 2 with a message naming the option and the path, never 1 with raw errno
 * text; repeated problems are capped. Each case was a repro of issue 14, item 7 and item 10.
 */
const tempDir = () => mkdtempSync(join(tmpdir(), 'sipbots-usage-'));

describe('usage errors exit 2 and name the option and the path', () => {
  const dir = tempDir();
  const file = join(dir, 'a-file.txt');
  writeFileSync(file, 'not a folder\n');

  it.each([
    [['proxy', '--users', '/nonexistent/users.txt'], /--users \/nonexistent\/users\.txt: file not found/],
    [['proxy', '--users', dir], new RegExp(`--users ${dir}: is a directory`)],
    [['proxy', '--transport', 'udp,foo'], /--transport.*unknown transport foo/],
    [['proxy', '--max-expires', '0'], /--max-expires.*0 is not a positive whole number/],
    [['proxy', '--min-expires', '0'], /--min-expires.*0 is not a positive whole number/],
    [['lab', '--out', file, '--only', 'reject'], new RegExp(`--out ${file} is a file, not a folder`)],
    [['lab', '--out', '/dev/null', '--only', 'reject'], /--out \/dev\/null is a file, not a folder/],
    [['lab', '--out', '/proc/sipbots-x', '--only', 'reject'], /--out \/proc\/sipbots-x cannot be created/],
    [['ladder', dir], new RegExp(`ladder ${dir}: is a directory`)],
    [['ladder', join(dir, 'missing.jsonl')], new RegExp(`ladder ${dir}/missing\\.jsonl: file not found`)],
    [['load', '--metrics-port', '70000'], /--metrics-port.*70000.*port number 0-65535/],
    [['load', '--metrics-bind', '999.1.1.1'], /--metrics-bind.*999\.1\.1\.1.*IP address/],
    [['relay', '--target', '127.0.0.1:5060', '--listen', '192.0.2.99:5099'], /--listen 192\.0\.2\.99:5099 is not an address of this machine/],
    [['lab', '--only', ''], /--only.*at least one/],
  ])('sipbots %j', async (argv, message) => {
    const { code, stderr } = await runCli(argv);
    expect(stderr).toMatch(message);
    expect(code).toBe(ExitCode.Usage);
  }, 20_000);

  it('a users file with 30,000 bad lines prints the first 20 and a count, not every line', async () => {
    const users = join(tempDir(), 'users.txt');
    writeFileSync(users, Array.from({ length: 30_000 }, (_, n) => `=nobody${n}`).join('\n'));
    const { code, stderr } = await runCli(['proxy', '--users', users]);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr.split('\n').filter((l) => l.includes('no user name')).length).toBe(20);
    expect(stderr).toContain('... and 29980 more');
    expect(stderr.length).toBeLessThan(10_000);
  }, 20_000);
});

describe('the smaller ones (item 10)', () => {
  it('an empty users file starts the proxy with a warning that everything will be refused', async () => {
    const users = join(tempDir(), 'users.txt');
    writeFileSync(users, '# nobody yet\n');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const { code, stderr } = await runCli(['proxy', '--users', users], { signal: controller.signal });
    expect(stderr).toMatch(/warning: .*users\.txt lists no users/);
    expect(code).toBe(ExitCode.Interrupted);
  });

  it('proxy and relay stopped by SIGINT exit 130 like every other command', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    expect((await runCli(['relay', '--target', '127.0.0.1:5060'], { signal: controller.signal })).code).toBe(ExitCode.Interrupted);
  });

  it('--register-timeout shows its default in seconds', async () => {
    for (const command of ['lab', 'run']) {
      const { stdout } = await runCli([command, '--help']);
      expect(stdout).toMatch(/--register-timeout <seconds>[\s\S]*?\(default: 8\)/);
      expect(stdout).not.toContain('8000');
    }
  });

  it('ladder --case with no such case exits 1, as --call does', async () => {
    const jsonl = join(tempDir(), 'messages.jsonl');
    writeManyCalls(jsonl, 2);
    const { code, stderr } = await runCli(['ladder', '--case', 'nosuch', jsonl]);
    expect(stderr).toContain('no SIP messages of case nosuch');
    expect(code).toBe(ExitCode.Failed);
  });

  it('--accounts naming an existing file (any name) reads it as CSV, not as one account name', async () => {
    const accounts = join(tempDir(), 'accts.list');
    writeFileSync(accounts, 'u1;secret1;lab.test\nu2;secret2;lab.test\n');
    const { code, stderr } = await runCli(['load', '--embedded-proxy', '--accounts', accounts, '--scenario', 'options', '--rate', '20', '--calls', '2']);
    expect(stderr).toBe('');
    expect(code).toBe(ExitCode.Ok);
  }, 30_000);

  it('a YAML file with a byte that is not UTF-8 is refused naming its line', async () => {
    const bots = join(tempDir(), 'bots.yaml');
    writeFileSync(bots, Buffer.concat([Buffer.from('bots:\n  alice:\n    user: alice\n    password: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const { code, stderr } = await runCli(['lab', '--bots', bots, '--only', 'reject']);
    expect(stderr).toContain(`${bots}:4: byte 0xe9 is not UTF-8 text`);
    expect(code).toBe(ExitCode.Usage);
  });

  it('--record names a WAV file from the Call-ID without letting the far end choose the folder', () => {
    expect(recordingPath('/runs/r', 'bob', '../../etc/x')).toBe('/runs/r/bob-______etc_x.wav');
  });

  it('the README load example takes the password from SIPBOTS_PASSWORD, not the command line', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).not.toMatch(/sipbots load[^\n]*--password \S/);
    expect(readme).toContain('SIPBOTS_PASSWORD=');
  });
});
