import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startProxyCommand } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sipbots-slow-answer-'));

/** Bob lets it ring 5 s before he answers: longer than the 3 s the proxy's timer used to allow. */
const scenario = join(dir, 'slow-answer.yaml');
writeFileSync(
  scenario,
  [
    'id: slow-answer',
    'title: The callee answers after five seconds',
    'roles: { caller: alice, callee: bob }',
    'behaviour:',
    '  callee: { onInvite: answer, ringFor: 5s }',
    'steps:',
    '  - call: { from: caller, to: callee, name: main }',
    '    waitFor: confirmed',
    '  - wait: 0.5s',
    '  - hangup: caller',
    'expect:',
    '  call: main',
    '  outcome: answered',
    '  status: 200',
    '  legs:',
    '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <180, <200, ACK>, BYE>, <200/BYE]',
    '',
  ].join('\n'),
);

describe('sipbots proxy with default options', () => {
  it('lets a callee answer after 5 s: its INVITE timer is Kamailio\'s 120 s, not 3 s', async () => {
    const proxy = startProxyCommand();
    try {
      const address = await proxy.listening;
      const result = await runCli(['run', scenario, '--server', `sip:${address}`, '--json', '--media', 'none', '--out', join(dir, 'run')]);
      const summary = JSON.parse(result.stdout);
      expect(summary.cases[0].difference ?? summary.cases[0].error).toBeUndefined();
      expect(result.code).toBe(0);
      expect(summary.cases[0].durationMs).toBeGreaterThan(5000);
    } finally {
      expect(await proxy.stop()).toBe(130); // stopped by a signal: interrupted
    }
  }, 60_000);

  it('says the default in --help', async () => {
    const result = await runCli(['proxy', '--help']);
    expect(result.stdout.replace(/\s+/g, ' ')).toMatch(/--invite-timeout <seconds>.*default 120, as Kamailio/);
  });
});
