import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { runCli } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sipbots-timeout-cause-'));

/** A case expecting bob to answer, whose call instead ends with a 408 sent by `who`. */
function timedOut(id: string, behaviour: string, proxy: string): string {
  const file = join(dir, `${id}.yaml`);
  writeFileSync(
    file,
    [
      `id: ${id}`,
      'title: Bob answers, the case expects',
      'roles: { caller: alice, callee: bob }',
      'behaviour:',
      `  callee: ${behaviour}`,
      ...(proxy ? [`proxy: ${proxy}`] : []),
      'steps:',
      '  - call: { from: caller, to: callee, hangupAfter: 0.5s, name: main }',
      '    waitFor: terminated',
      'expect:',
      '  call: main',
      '  status: 200',
      '  legs:',
      '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <180, <200/INVITE, ACK>, BYE>, <200/BYE]',
      '',
    ].join('\n'),
  );
  return file;
}

describe('a failure caused by a 408 names it and who sent it', () => {
  it("the proxy's INVITE timer (bob rings longer than it allows) and the callee's own timer", async () => {
    const proxyTimer = timedOut('proxy-timer', '{ onInvite: answer, ringFor: 3s }', '{ inviteTimeout: 1s }');
    const calleeTimer = timedOut('callee-timer', '{ onInvite: timeout, ringFor: 1s }', '');
    const result = await runCli(['run', proxyTimer, calleeTimer, '--media', 'none', '--lang', 'zh', '--out', join(dir, 'run')]);
    expect(result.code).toBe(1);
    const [byProxy, byCallee] = (JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8')) as RunSummary).cases;
    expect(byProxy!.difference).toMatch(/saw 408 Request Timeout \(INVITE\) received; the caller got 408 Request Timeout from the proxy, not from bob: the proxy's INVITE timer \(fr_inv_timer\) ran out before bob answered$/);
    expect(byCallee!.difference).toMatch(/saw 408 Request Timeout \(INVITE\) received; the caller got 408 Request Timeout from the callee bob \(its own no-answer timer\), relayed by the proxy$/);

    // Under --lang zh the terminal line and the report say it in Chinese (summary.json stays English).
    const line = (id: string) => result.stdout.split('\n').find((l) => l.includes(id)) ?? '';
    expect(line('proxy-timer')).toContain('主叫一侧在 <180 之后应有 <200/INVITE，实际是收到的 408 Request Timeout (INVITE)；主叫收到的 408 Request Timeout 来自代理，而不是 bob：代理的 INVITE 定时器（fr_inv_timer）在 bob 应答之前到期');
    expect(line('callee-timer')).toContain('来自被叫 bob（它自己的无应答定时器），由代理转发');
    expect(result.stdout).not.toMatch(/expected|the caller got/);
    const report = readFileSync(join(dir, 'run', 'report.html'), 'utf8');
    expect(report).toContain('主叫收到的 408 Request Timeout 来自代理，而不是 bob');
  }, 60_000);
});
