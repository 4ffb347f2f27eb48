import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

describe('sipbots run --lang zh', () => {
  it('prints every fixed word of the case line and footer in Chinese, and writes the report in Chinese', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sipbots-zh-')), 'run');
    const result = await runCli(['run', 'scenarios/lab/reject.yaml', '--lang', 'zh', '--out', dir]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^通过 {2}reject +\d+\.\d s {2}被拒绝 · 486 · 结束方：被叫（拒接）$/m);
    expect(result.stdout).toMatch(/^1\/1 个用例通过，服务器 sip:127\.0\.0\.1:\d+;transport=udp（udp），用时 \d+\.\d 秒$/m);
    expect(result.stdout).toContain(`运行目录：${dir}\n报告：${join(dir, 'report.html')}\n`);
    expect(result.stdout).not.toMatch(/PASS|passed|ended by|run folder|report:|rejected/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<td>被叫拒接</td>');
    expect(html).not.toContain('Callee rejects the call');
  }, 30_000);
});
