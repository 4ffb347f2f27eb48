import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedProxyOnlyReason, embeddedProxyOnlyReasonOfFile } from '../../src/lab/embedded-proxy-only.js';
import { labCaseFiles } from '../../src/lab/lab-cases.js';
import { runCli } from '../support/run-cli.js';

/** One rule decides what only the embedded proxy plays, for the lab's case list and for `sipbots run`. */
describe('scenarios only the embedded proxy plays', () => {
  it('are those answering a cancelled INVITE 408; 487 (RFC 3261 §16.7) and no setting play anywhere', () => {
    expect(embeddedProxyOnlyReason({ cancelledInviteStatus: 408 })).toEqual({ en: expect.stringMatching(/408/), zh: expect.stringMatching(/408/) });
    expect(embeddedProxyOnlyReason({ cancelledInviteStatus: 487 })).toBeUndefined();
    expect(embeddedProxyOnlyReason({})).toBeUndefined();
    expect(embeddedProxyOnlyReason(undefined)).toBeUndefined();
  });

  it('are found in the lab case files themselves: against a server the default list leaves out exactly those', () => {
    const selection = labCaseFiles('scenarios/lab', undefined, { externalServer: true });
    expect(selection.excluded.map((c) => c.id)).toEqual(['no-answer-as-captured']);
    expect(selection.files.some((f) => f.endsWith('no-answer-as-captured.yaml'))).toBe(false);
    expect(labCaseFiles('scenarios/lab', undefined).excluded).toEqual([]);
  });

  it('leaves a file that does not parse to the loader, which reports it with its position', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sipbots-embedded-only-')), 'broken.yaml');
    writeFileSync(file, 'proxy: [unclosed\n');
    expect(embeddedProxyOnlyReasonOfFile(file)).toBeUndefined();
  });

  it('`sipbots run --server` refuses such a scenario with exit 2 before any traffic', async () => {
    // Port 9 on loopback: nothing listens there, and nothing is sent to it.
    const result = await runCli(['run', 'scenarios/lab/no-answer-as-captured.yaml', '--server', 'sip:127.0.0.1:9', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/proxy\.cancelledInviteStatus.*408.*--server was given/s);
  });
});
