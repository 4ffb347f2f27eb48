import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { PeerStartError } from './peer-errors.js';
import { freeLoopbackPort } from './ports.js';

export type BaresipTransport = 'udp' | 'tcp' | 'tls';

export interface BaresipCalleeOptions {
  user: string;
  password: string;
  /** Domain of the address of record (default lab.test). */
  domain?: string;
  /** Registrar/outbound proxy on 127.0.0.1 and its port for `transport`. */
  proxyPort: number;
  transport?: BaresipTransport;
  /** Enable the ctrl_tcp module (JSON commands and call events) on a free loopback port. */
  ctrlTcp?: boolean;
  /** ms to wait for the 200 OK to REGISTER (default 10 s). */
  registerTimeoutMs?: number;
  /** Application modules to load as well, e.g. `presence.so` (a notifier for Event: presence). */
  appModules?: string[];
}

export interface BaresipCallee {
  pid: number | undefined;
  /** SIP port baresip listens on (UDP and TCP) at 127.0.0.1. */
  sipPort: number;
  /** ctrl_tcp port when enabled. */
  ctrlTcpPort: number | undefined;
  configDir: string;
  /** Everything baresip printed so far (it logs to stdout). */
  output(): string;
  /**
   * SIGTERM: baresip unregisters and exits in ~1.5 s. Call it BEFORE stopping the proxy,
   * otherwise it waits ~32 s for the unregister to time out.
   */
  stop(): Promise<void>;
}

/**
 * A headless baresip that registers `user` on the proxy and auto-answers every call,
 * sending a 440 Hz tone (ausine). No stdio (there is no usable stdin) and no audio
 * player module (the null/alsa players burn a core per call; without one it still
 * decodes). See /work/shared/peers-notes.md.
 */
export async function startBaresipCallee(options: BaresipCalleeOptions): Promise<BaresipCallee> {
  const binary = requireBinary('baresip');
  const domain = options.domain ?? 'lab.test';
  const transport = options.transport ?? 'udp';
  const configDir = await mkdtemp(join(tmpdir(), 'sipbots-baresip-'));
  const sipPort = await freeLoopbackPort();
  const ctrlTcpPort = options.ctrlTcp === true ? await freeLoopbackPort() : undefined;

  await writeFile(
    join(configDir, 'config'),
    [
      'poll_method\t\tepoll',
      `sip_listen\t\t127.0.0.1:${sipPort}`,
      // An IP, not "lo": baresip then binds SIP and RTP to 127.0.0.1 only.
      'net_interface\t\t127.0.0.1',
      'call_max_calls\t\t4',
      // ausine only produces 48 kHz stereo; baresip resamples to the codec's rate.
      'audio_source\t\tausine,440',
      'ausrc_srate\t\t48000',
      'ausrc_channels\t\t2',
      'module_path\t\t/usr/lib/baresip/modules',
      'module\t\t\tg711.so',
      'module\t\t\tausine.so',
      'module_tmp\t\tuuid.so',
      'module_tmp\t\taccount.so',
      // menu carries out answermode=auto.
      'module_app\t\tmenu.so',
      ...(options.appModules ?? []).map((module) => `module_app\t\t${module}`),
      ...(ctrlTcpPort === undefined
        ? []
        : ['module_app\t\tctrl_tcp.so', `ctrl_tcp_listen\t\t127.0.0.1:${ctrlTcpPort}`]),
      '',
    ].join('\n'),
  );
  await writeFile(
    join(configDir, 'accounts'),
    `<sip:${options.user}@${domain};transport=${transport}>;auth_pass=${options.password};` +
      `outbound="sip:127.0.0.1:${options.proxyPort};transport=${transport}";` +
      'answermode=auto;regint=600\n',
  );

  const child = spawn(binary, ['-f', configDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onChunk = (chunk: string): void => {
    output += chunk;
  };
  child.stdout.setEncoding('utf8').on('data', onChunk);
  child.stderr.setEncoding('utf8').on('data', onChunk);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      await exited;
      clearTimeout(killTimer);
    }
    await rm(configDir, { recursive: true, force: true });
  };

  // baresip prints e.g. "carol@lab.test: {0/UDP/v4} 200 OK (kamailio ...) [1 binding]".
  const registered = new RegExp(`${escapeRegExp(options.user)}@${escapeRegExp(domain)}: .* 200 OK .*binding`);
  const timeoutMs = options.registerTimeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  while (!registered.test(output)) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      const why =
        child.exitCode !== null || child.signalCode !== null
          ? 'exited before registering'
          : `not registered within ${timeoutMs} ms`;
      const tail = output.split('\n').slice(-20).join('\n');
      await stop();
      throw new PeerStartError('baresip', `${options.user}@${domain} ${why}`, tail);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return { pid: child.pid, sipPort, ctrlTcpPort, configDir, output: () => output, stop };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
