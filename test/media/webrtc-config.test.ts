import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { runCli } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sipbots-webrtc-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function botsFile(lines: string[]): string {
  const file = join(dir, `bots-${++files}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function problemsOf(file: string): Promise<string> {
  const error = await loadBotsFile(file, {}).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('media: rtp | webrtc in the bots file', () => {
  it('per bot and in defaults; a bot without it is plain RTP', async () => {
    const file = botsFile([
      'defaults: { domain: lab.test, transport: wss, media: webrtc }',
      'bots:',
      '  alice: { user: alice, password: a }',
      '  bob: { user: bob, password: b, media: rtp }',
    ]);
    const { bots } = await loadBotsFile(file, {});
    expect(bots.get('alice')!.media).toBe('webrtc');
    expect(bots.get('bob')!.media).toBe('rtp');
    const plain = await loadBotsFile(botsFile(['bots:', '  carol: { user: carol, password: c, domain: lab.test }']), {});
    expect(plain.bots.get('carol')!.media ?? 'rtp').toBe('rtp');
  });

  it('webrtc with a UDP, TCP or TLS transport is an error naming the bot, the line and the fix', async () => {
    const file = botsFile([
      'defaults: { domain: lab.test }',
      'bots:',
      '  alice: { user: alice, password: a, media: webrtc }',
      '  bob: { user: bob, password: b, media: webrtc, transport: tls }',
      '  carol: { user: carol, password: c, media: webrtc, transport: ws }',
    ]);
    const message = await problemsOf(file);
    expect(message).toContain(`${file}:3: bots.alice.media: media: webrtc needs a WebSocket transport (ws or wss), but this bot uses udp (hint: set transport: wss (or ws) for this bot, or media: rtp)`);
    expect(message).toContain('bots.bob.media: media: webrtc needs a WebSocket transport (ws or wss), but this bot uses tls');
    expect(message).not.toContain('carol');
  });

  it('webrtc from defaults points at the transport that does not fit', async () => {
    const message = await problemsOf(botsFile(['defaults: { domain: lab.test, media: webrtc, transport: tcp }', 'bots:', '  alice: { user: alice, password: a }']));
    expect(message).toMatch(/bots\.alice\.transport: media: webrtc needs a WebSocket transport \(ws or wss\), but this bot uses tcp/);
  });

  it('an unknown media kind is refused with the choices', async () => {
    const message = await problemsOf(botsFile(['bots:', '  alice: { user: alice, password: a, domain: lab.test, media: srtp }']));
    expect(message).toMatch(/:2: bots\.alice\.media: invalid value "srtp" \(hint: use one of: rtp, webrtc\)/);
  });
});

describe('--media on sipbots lab', () => {
  it('--media webrtc over UDP exits with the usage code before any bot starts', async () => {
    const { code, stderr } = await runCli(['lab', '--json', '--media', 'webrtc', '--transport', 'udp', '--only', 'answer-bye-caller', '--out', join(dir, 'never')]);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toMatch(/--media webrtc needs a WebSocket transport, but this run uses udp \(hint: add --transport wss/);
  });

  it('refuses a media kind it does not know', async () => {
    const { code, stderr } = await runCli(['lab', '--media', 'sctp']);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toMatch(/Allowed choices are rtp, webrtc, none/);
  });
});
