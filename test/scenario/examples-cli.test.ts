import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { runCli } from '../support/run-cli.js';

describe('sipbots run scenarios/examples: every example runs as a suite against the embedded proxy', () => {
  it('passes each example, one JUnit testcase per scenario, the run id substituted into the MESSAGE header', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sipbots-examples-')), 'run');
    const run = await runCli(['run', 'scenarios/examples', '--media', 'none', '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary;
    const ids = readdirSync('scenarios/examples').filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(summary.cases.map((c) => c.id).sort()).toEqual(ids);
    for (const result of summary.cases) expect(result.difference, result.id).toBeUndefined();
    const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(out, 'junit.xml'), 'utf8')) as { testsuite: { '@_tests': string; testcase: { '@_name': string; failure?: unknown }[] } };
    const names = junit.testsuite.testcase.map((t) => t['@_name']);
    expect(names.filter((n) => ids.includes(n)).sort()).toEqual(ids);
    expect(junit.testsuite.testcase.filter((t) => t.failure !== undefined)).toEqual([]);
    const sip = readFileSync(join(out, 'messages.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; party: string; direction: string; method?: string; raw: string });
    const message = sip.find((e) => e.type === 'sip' && e.party === 'bob' && e.direction === 'in' && e.method === 'MESSAGE');
    expect(message?.raw).toMatch(/^X-Run-Id: [0-9a-z]+-[0-9a-f]{6}\r$/m);
    // One example after another, each a few seconds of real SIP timing: the limit grows with the examples.
  }, 90_000);
});
