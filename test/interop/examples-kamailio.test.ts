import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioPeer } from './support/kamailio.js';
import { cleanupRuns, describeRun, repoRoot, runSipbots } from './support/sipbots-cli.js';

let kamailio: KamailioPeer;

beforeAll(async () => {
  kamailio = await startKamailio({});
});

afterAll(async () => {
  await kamailio?.stop();
  await cleanupRuns();
});

describe('the scenario examples as one suite against Kamailio', () => {
  it('sipbots run scenarios/examples: every example passes, one junit.xml with a testcase per scenario', async () => {
    const run = await runSipbots(['run', join(repoRoot, 'scenarios/examples'), '--server', `sip:127.0.0.1:${kamailio.udpPort}`, '--media', 'none', '--json'], { timeoutMs: 90_000 });
    expect(run.exitCode, describeRun(run)).toBe(0);
    const ids = run.summary!.cases.map((c) => c.id).sort();
    const files = (await readdir(join(repoRoot, 'scenarios/examples'))).filter((f) => f.endsWith('.yaml'));
    expect(ids).toEqual(files.map((f) => f.replace(/\.yaml$/, '')).sort());
    const junit = new XMLParser({ ignoreAttributes: false }).parse(await readFile(join(run.runDir, 'junit.xml'), 'utf8')) as { testsuite: { '@_failures': string; testcase: { '@_name': string }[] } };
    expect(junit.testsuite['@_failures']).toBe('0');
    expect(junit.testsuite.testcase.map((t) => t['@_name']).filter((n) => ids.includes(n)).sort()).toEqual(ids);
  }, 120_000);
});
