import { mkdtempSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sipbots-zh-stderr-'));

/** A UDP port nobody answers on: bound, then closed. */
async function silentPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe('lab and run under --lang zh write stderr in Chinese', () => {
  it('a scenario file with a mistake: the problem list, with its hint, under a Chinese heading', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'id: broken\ntitle: t\nroles: { caller: alice, callee: bob }\nsteps:\n  - call: { from: caller, to: callee, cancelAfter: 2 sec }\nexpect: { call: call-1 }\n');
    const result = await runCli(['run', file, '--lang', 'zh', '--out', join(dir, 'broken-run')]);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toMatch(/^sipbots：配置有误：\n.*broken\.yaml:\d+：/);
    expect(result.stderr).not.toMatch(/sipbots: |hint:/);
  });

  it('a server that never answers, and the --insecure warning', async () => {
    const port = await silentPort();
    const result = await runCli(['lab', '--lang', 'zh', '--server', `sip:127.0.0.1:${port};transport=udp`, '--register-timeout', '1', '--only', 'reject', '--insecure', '--out', join(dir, 'silent-run')]);
    expect(result.code).toBe(ExitCode.Unreachable);
    expect(result.stderr).toContain('警告：--insecure：不验证服务器证书\n');
    expect(result.stderr).toMatch(new RegExp(`sipbots：[\\d.]+ 秒内 .*127\\.0\\.0\\.1:${port}.*（udp）没有应答\\n$`));
    expect(result.stderr).not.toMatch(/warning|no answer/);
  }, 30_000);

  it('stays English without --lang zh', async () => {
    const port = await silentPort();
    const result = await runCli(['lab', '--server', `sip:127.0.0.1:${port};transport=udp`, '--register-timeout', '1', '--only', 'reject', '--out', join(dir, 'silent-run-en')]);
    expect(result.stderr).toMatch(/^sipbots: no answer from .* over udp after [\d.]+ s\n$/);
  }, 30_000);
});
