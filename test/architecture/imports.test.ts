import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const config = join(root, '.dependency-cruiser.cjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

/** Runs dependency-cruiser with the project's rules on `cwd`/src; returns its violations. */
async function violations(cwd: string): Promise<Violation[]> {
  // depcruise exits non-zero when it finds violations; the JSON report is on stdout either way.
  const { stdout } = await run(depcruise, ['src', '--config', config, '--output-type', 'json'], { cwd, maxBuffer: 64 << 20 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  const report = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

function describeViolation(v: Violation): string {
  const cycle = v.cycle ? ` (${v.cycle.map((c) => c.name).join(' -> ')})` : '';
  return `${v.rule.name}: ${v.from} -> ${v.to}${cycle}`;
}

describe('imports in src/', () => {
  it('have no cycle, and src/sip imports nothing above it', async () => {
    expect((await violations(root)).map(describeViolation)).toEqual([]);
  }, 60_000);

  describe('the rules catch what they forbid', () => {
    let fixture = '';
    afterAll(async () => {
      if (fixture) await rm(fixture, { recursive: true, force: true });
    });

    it('a cycle in src/load and an import from src/sip into src/events', async () => {
      fixture = await mkdtemp(join(tmpdir(), 'sipbots-imports-'));
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] }),
        'package.json': JSON.stringify({ type: 'module' }),
        'src/load/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'src/load/b.ts': "import type { a } from './a.js';\nexport const b = 1;\nexport type A = typeof a;\n",
        'src/events/types.ts': "export type Direction = 'in' | 'out';\n",
        'src/sip/wire.ts': "import type { Direction } from '../events/types.js';\nexport const d: Direction = 'in';\n",
        'src/util/clock.ts': 'export const now = () => 0;\n',
        'src/sip/ok.ts': "import { now } from '../util/clock.js';\nexport const t = now();\n",
      };
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(fixture, path)), { recursive: true });
        await writeFile(join(fixture, path), text);
      }
      const found = await violations(fixture);
      const cycles = found.filter((v) => v.rule.name === 'no-cycle');
      expect(cycles.length).toBeGreaterThan(0);
      for (const v of cycles) expect([v.from, ...(v.cycle ?? []).map((c) => c.name)]).toEqual(expect.arrayContaining(['src/load/a.ts', 'src/load/b.ts']));
      const upward = found.filter((v) => v.rule.name !== 'no-cycle').map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
      expect(upward).toEqual(['sip-imports-nothing-above: src/sip/wire.ts -> src/events/types.ts']);
    }, 60_000);
  });
});
