import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/cli-io.js';
import type { LoadResult } from '../../src/load/results/load-result.js';

function fakeIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    env: {},
    signal: new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}

const common = ['load', '--embedded-proxy', '--accounts', 'u{0001..0010}@lab.test', '--password', 'load-secret', '--rate', '40', '--calls', '40', '--hold', '0.1'];

describe('sipbots load (CLI, in-process)', () => {
  it('passing thresholds: exit 0, table on stdout, full JSON and JUnit written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sipbots-load-'));
    const io = fakeIo();
    const code = await main([...common, '--threshold', 'setup_p99<2s', 'failed<0.1%', 'cps>=30', '--json', join(dir, 'r.json'), '--junit', join(dir, 'r.xml')], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toContain('INVITE→200');
    expect(io.out()).toMatch(/failed 0 \(0\.000 %\)  refused 0  delayed \d+/);
    const result = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as LoadResult;
    expect(result.counters).toMatchObject({ attempted: 40, succeeded: 40, failed: 0, refused: 0 });
    expect(result.passed).toBe(true);
    expect(result.histograms.setup_200.length).toBeGreaterThan(10);
    expect(result.cps).toBeCloseTo(40, 0);
    expect(await readFile(join(dir, 'r.xml'), 'utf8')).toContain('tests="3" failures="0"');
  });

  it('failing thresholds: exit 1 with the failing ones listed', async () => {
    const io = fakeIo();
    const code = await main([...common, '--threshold', 'setup_p99<1us', 'failed<0.1%', 'cps>=1000'], io);
    expect(code).toBe(1);
    expect(io.err()).toMatch(/thresholds failed: setup_p99<1us \(actual [\d.]+ ms\), cps>=1000 \(actual [\d.]+ calls\/s\)/);
    expect(io.err()).not.toContain('failed<0.1%');
    expect(io.out()).toContain('FAIL  cps>=1000');
  });

  it('unbounded or malformed options: exit 2 listing every problem', async () => {
    const io = fakeIo();
    const code = await main(['load', '--proxy', 'localhost:99999', '--accounts', 'u{1..2}@lab.test', '--rate', '10', '--threshold', 'bogus<1'], io);
    expect(code).toBe(2);
    expect(io.err()).toContain('must be bounded');
    expect(io.err()).toContain('--proxy localhost');
    expect(io.err()).toContain('needs --password');
    expect(io.err()).toContain('unknown metric bogus');
  });
});
