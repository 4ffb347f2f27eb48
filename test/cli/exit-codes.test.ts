import { mkdtempSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer } from '../../src/lab/embedded-server.js';
import { runCli } from '../support/run-cli.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'sipbots-cli-'));

describe('sipbots exit codes and messages', () => {
  it('--help lists the commands and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(ExitCode.Ok);
    for (const command of ['lab', 'run', 'proxy', 'ladder']) expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('an unknown command or option is a usage error (2)', async () => {
    expect((await runCli(['dance'])).code).toBe(ExitCode.Usage);
    expect((await runCli(['lab', '--transport', 'carrier-pigeon'])).code).toBe(ExitCode.Usage);
  });

  it('an unknown lab case id is a usage error naming the valid ids', async () => {
    const { code, stderr } = await runCli(['lab', '--only', 'no-answer,nope', '--out', join(tempDir(), 'r')]);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain('unknown lab case nope');
    expect(stderr).toContain('busy-in-call');
  });

  it('a bots file with several mistakes is rejected before anything is sent, every problem with its line', async () => {
    const dir = tempDir();
    const bots = join(dir, 'bots.yaml');
    writeFileSync(bots, ['bots:', '  alice:', '    user: alice', '    password: x', '    transport: carrier-pigeon', '    tone: 9000', '  bob:', '    password: y', ''].join('\n'));
    const { code, stderr } = await runCli(['lab', '--bots', bots, '--out', join(dir, 'r')]);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toMatch(new RegExp(`${bots}:5: bots\\.alice\\.transport`));
    expect(stderr).toMatch(new RegExp(`${bots}:6: bots\\.alice\\.tone`));
    expect(stderr).toMatch(new RegExp(`${bots}:\\d+: bots\\.bob`));
  });

  it('a server that never answers gives 3 and "no answer from … over udp after N s"', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const port = silent.address().port;
    try {
      const { code, stderr } = await runCli(['lab', '--server', `sip:127.0.0.1:${port}`, '--register-timeout', '1', '--only', 'reject', '--out', join(tempDir(), 'r')]);
      expect(code).toBe(ExitCode.Unreachable);
      expect(stderr).toContain(`no answer from sip:127.0.0.1:${port};transport=udp over udp after 1 s`);
    } finally {
      silent.close();
    }
  });

  it('a password the server does not accept gives 3 and names the account and the refusal', async () => {
    const users = new Map([['alice', 'alice-secret'], ['bob', 'a-different-secret'], ['carol', 'carol-secret']]);
    const server = await startEmbeddedServer({ transports: ['udp'], users, domain: 'lab.test', events: new EventStream() });
    try {
      const port = server.endpoints.get('udp')!.port;
      const { code, stderr } = await runCli(['lab', '--server', `sip:127.0.0.1:${port}`, '--only', 'reject', '--out', join(tempDir(), 'r')]);
      expect(code).toBe(ExitCode.Unreachable);
      expect(stderr).toMatch(/bob \(sip:bob@lab\.test\) could not register: 403 Forbidden/);
      expect(stderr).not.toContain('bob-secret');
    } finally {
      await server.stop();
    }
  });
});

describe('--hep', () => {
  it('a malformed collector address is a usage error with a hint', async () => {
    const { code, stderr } = await runCli(['lab', '--hep', 'homer:9060']);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain('--hep homer:9060 is not udp:HOST:PORT');
  });
});

describe('lab --hep', () => {
  it('sends each SIP message of the run to the collector as a HEPv3 packet', async () => {
    const collector = createSocket('udp4');
    const packets: Buffer[] = [];
    collector.on('message', (data) => packets.push(data));
    await new Promise<void>((resolve) => collector.bind(0, '127.0.0.1', resolve));
    try {
      const out = join(tempDir(), 'r');
      const { code } = await runCli(['lab', '--only', 'reject', '--media', 'none', '--out', out, '--hep', `udp:127.0.0.1:${collector.address().port}`]);
      expect(code).toBe(ExitCode.Ok);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(packets.length).toBeGreaterThan(20);
      expect(packets.every((p) => p.subarray(0, 4).toString('latin1') === 'HEP3')).toBe(true);
      expect(packets.some((p) => p.includes('SIP/2.0 486 Busy Here'))).toBe(true);
    } finally {
      collector.close();
    }
  });
});
