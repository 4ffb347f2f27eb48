import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/util/seeded-random.js';
import { runLabJson } from '../support/lab-run.js';
import { runCli } from '../support/run-cli.js';

/** `sipbots ladder` on damaged captures: a clear error and exit 2, never a crash or a hang. */
let capture: Buffer;
const dir = mkdtempSync(join(tmpdir(), 'sipbots-corrupt-'));

beforeAll(async () => {
  const run = await runLabJson(['--only', 'reject', '--media', 'none']);
  capture = readFileSync(join(run.dir, 'signaling.pcapng'));
}, 30_000);

async function ladder(name: string, bytes: Buffer) {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return runCli(['ladder', file]);
}

describe('sipbots ladder fed corrupted captures', () => {
  it('draws the intact capture', async () => {
    const result = await ladder('intact.pcapng', capture);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('486');
  });

  it('refuses structurally broken files with exit 2 and a message naming the file', async () => {
    const bad: Record<string, Buffer> = {
      'empty.pcapng': Buffer.alloc(0),
      'garbage.pcapng': Buffer.from('this is not a capture at all'.repeat(20)),
      'wrong-magic.pcap': Buffer.concat([Buffer.from([0xde, 0xad, 0xbe, 0xef]), capture.subarray(4)]),
      'huge-block-length.pcapng': (() => {
        const b = Buffer.from(capture);
        b.writeUInt32LE(0x7fffffff, 4);
        return b;
      })(),
    };
    for (const [name, bytes] of Object.entries(bad)) {
      const result = await ladder(name, bytes);
      expect(result.code, `${name}: ${result.stderr}`).toBe(2);
      expect(result.stderr, name).toMatch(new RegExp(`sipbots: .*${name.replace('.', '\\.')}|${name.replace('.', '\\.')}`));
      expect(result.stderr, name).not.toMatch(/at .*\.js:\d+|TypeError|RangeError/);
    }
  });

  it('reads a capture cut in half up to its last whole block, warning; --strict refuses it', async () => {
    const half = capture.subarray(0, Math.floor(capture.length / 2) + 3);
    const result = await ladder('half.pcapng', half);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/sipbots: .*half\.pcapng is cut short at byte \d+/);
    const file = join(dir, 'half.pcapng');
    const strict = await runCli(['ladder', file, '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/half\.pcapng.*runs past the end of the file|half\.pcapng.*cut short/);
  });

  it('never crashes on 300 randomly cut or flipped captures (exit 0, 1 or 2 only)', async () => {
    const random = seededRandom(2026);
    const codes = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(capture);
      if (i % 2 === 0) {
        for (let k = 0; k < 1 + Math.floor(random() * 20); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      const cut = i % 3 === 0 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
      const result = await ladder(`mutant-${i}.pcapng`, cut);
      codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
      expect([0, 1, 2], `mutant ${i}: ${result.stderr}`).toContain(result.code);
      if (result.code === 2) expect(result.stderr).toMatch(/^sipbots: /);
    }
    console.info(`[fuzz] ladder on 300 corrupted captures: exit codes ${JSON.stringify(Object.fromEntries(codes))}`);
  });
});
