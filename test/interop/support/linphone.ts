import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWavFile } from '../../../src/media/wav.js';
import { requireBinary } from './binaries.js';
import { PeerStartError } from './peer-errors.js';
import { freeLoopbackPort } from './ports.js';

export interface LinphoneOptions {
  user: string;
  password: string;
  domain?: string;
  /** Registrar and outbound proxy on 127.0.0.1. */
  proxyPort: number;
  transport: 'udp' | 'tcp';
  /** Tone it sends as its microphone (a WAV it plays), Hz. */
  toneHz: number;
}

export interface LinphonePeer {
  /** Sends one linphonec command line (call sip:..., terminate, answer). */
  command(line: string): void;
  output(): string;
  /** Resolves once `pattern` shows in its output, or rejects after `ms` with the tail. */
  waitFor(pattern: RegExp, ms: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * linphonec (Debian linphone-cli) as a headless softphone: its own HOME (the core opens no SIP
 * port until ~/.local/share/linphone exists), auto-answer, `soundcard use files` with a WAV of
 * `toneHz` as the microphone, driven through its stdin. See /work/shared/peers-notes.md.
 */
export async function startLinphone(options: LinphoneOptions): Promise<LinphonePeer> {
  const binary = requireBinary('linphonec');
  const domain = options.domain ?? 'lab.test';
  const home = await mkdtemp(join(tmpdir(), 'sipbots-linphone-'));
  await mkdir(join(home, '.local/share/linphone'), { recursive: true });
  const wav = join(home, 'tone.wav');
  const samples = new Int16Array(8000 * 10).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * options.toneHz * i) / 8000)));
  await writeWavFile(wav, samples, 8000);
  const port = await freeLoopbackPort();
  const rc = join(home, 'linphonerc');
  await writeFile(
    rc,
    [
      '[sip]',
      `sip_port=${options.transport === 'udp' ? port : -1}`,
      `sip_tcp_port=${options.transport === 'tcp' ? port : -1}`,
      'sip_tls_port=-1',
      'default_proxy=0',
      'register_only_when_network_is_up=0',
      'ipv6=0',
      // Without gruu in Supported, Kamailio's registrar hands out no pub-gruu: linphone would put it
      // in its 200's Contact and the BYE to it would end at Kamailio (478, its config resolves no GRUU).
      'supported=replaces',
      '[net]',
      'bind_address=127.0.0.1',
      '[rtp]',
      'audio_rtp_port=40000-40999',
      '[sound]',
      'echocancellation=0',
      '[auth_info_0]',
      `username=${options.user}`,
      `passwd=${options.password}`,
      `realm=${domain}`,
      `domain=${domain}`,
      '[proxy_0]',
      `reg_proxy=<sip:127.0.0.1:${options.proxyPort};transport=${options.transport}>`,
      `reg_route=<sip:127.0.0.1:${options.proxyPort};transport=${options.transport};lr>`,
      `reg_identity="Linphone" <sip:${options.user}@${domain}>`,
      'reg_expires=600',
      'reg_sendregister=1',
      'publish=0',
      '',
    ].join('\n'),
  );
  const child = spawn(binary, ['-c', rc, '-a', '-d', '6'], { env: { ...process.env, HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const command = (line: string) => child.stdin.write(`${line}\n`);
  const waitFor = async (pattern: RegExp, ms: number) => {
    const deadline = Date.now() + ms;
    while (!pattern.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new PeerStartError('linphone', `${pattern} not seen ${child.exitCode !== null ? '(it exited)' : `within ${ms} ms`}`, output.split('\n').slice(-30).join('\n'));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      command('quit');
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(kill);
    }
    await rm(home, { recursive: true, force: true });
  };
  try {
    await waitFor(/to \[LinphoneRegistrationOk\]/, 15_000);
  } catch (error) {
    await stop();
    throw error;
  }
  command('soundcard use files');
  command(`play ${wav}`);
  return { command, output: () => output, waitFor, stop };
}
