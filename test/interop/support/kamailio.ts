import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireBinary } from './binaries.js';
import { PeerStartError } from './peer-errors.js';

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const script = join(repoRoot, 'scripts/peers/kamailio.sh');

export interface KamailioOptions {
  /** tm fr_inv_timer: ms after a provisional reply before 408 (Kamailio default here 120000). */
  frInvTimerMs?: number;
  /** Shared memory in MB (script default 256; use 1024+ for load). */
  sharedMemoryMb?: number;
  /** Verbose Kamailio log (debug=3). */
  debug?: boolean;
  /** Anchor media in an rtpengine started beside it; `block-caller`: the relay drops what callers send. */
  rtpengine?: 'relay' | 'block-caller';
}

/** A running lab Kamailio on 127.0.0.1 and [::1] (domain lab.test, users from docker/kamailio/users.txt). */
export interface KamailioPeer {
  host: '127.0.0.1';
  /** `::1` when the host has IPv6 loopback: Kamailio then listens there too, on the same ports. */
  host6: '::1' | undefined;
  domain: 'lab.test';
  /** UDP and TCP share this port. */
  udpPort: number;
  tcpPort: number;
  tlsPort: number;
  wsPort: number;
  wssPort: number;
  frInvTimerMs: number;
  /** Self-signed server certificate (SAN IP:127.0.0.1, DNS:lab.test), PEM. */
  certPath: string;
  logPath: string;
  runDir: string;
  /** With `rtpengine`: the RTP port range it hands out, and its log. */
  rtpengine?: { ports: [number, number]; logPath: string };
  /** Stops Kamailio (SIGTERM, then SIGKILL after 10 s) and removes its run directory. */
  stop(): Promise<void>;
}

/**
 * Starts Kamailio through scripts/peers/kamailio.sh on free loopback ports, in its own
 * temp run directory so concurrent test files never share a server.
 */
export async function startKamailio(options: KamailioOptions = {}): Promise<KamailioPeer> {
  requireBinary('kamailio');
  requireBinary('openssl');
  const runDir = await mkdtemp(join(tmpdir(), 'sipbots-kamailio-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAMAILIO_STATE: join(runDir, 'state.env'),
    ...(options.frInvTimerMs !== undefined && { FR_INV_TIMER: String(options.frInvTimerMs) }),
    ...(options.sharedMemoryMb !== undefined && { KAMAILIO_SHM_MB: String(options.sharedMemoryMb) }),
    ...(options.debug === true && { KAMAILIO_DEBUG: '1' }),
    ...(options.rtpengine !== undefined && { KAMAILIO_RTPENGINE: '1' }),
    ...(options.rtpengine === 'block-caller' && { KAMAILIO_RTPENGINE_BLOCK: 'caller' }),
  };
  const stop = async (): Promise<void> => {
    await run('bash', [script, 'stop'], { env, timeout: 20_000 });
    await rm(runDir, { recursive: true, force: true });
  };

  try {
    await run('bash', [script, 'start'], { env, timeout: 30_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    await rm(runDir, { recursive: true, force: true });
    throw new PeerStartError('kamailio', `${script} start failed`, stderr, { cause: error });
  }

  const state = parseStateFile(await readFile(join(runDir, 'state.env'), 'utf8'));
  const port = (key: string): number => {
    const value = Number(state.get(key));
    if (!Number.isInteger(value) || value <= 0) {
      throw new PeerStartError('kamailio', `state file has no valid ${key}`, '');
    }
    return value;
  };
  return {
    host: '127.0.0.1',
    host6: state.get('KAMAILIO_HOST6') === '::1' ? '::1' : undefined,
    domain: 'lab.test',
    udpPort: port('KAMAILIO_PORT'),
    tcpPort: port('KAMAILIO_TCP_PORT'),
    tlsPort: port('KAMAILIO_TLS_PORT'),
    wsPort: port('KAMAILIO_WS_PORT'),
    wssPort: port('KAMAILIO_WSS_PORT'),
    frInvTimerMs: port('KAMAILIO_FR_INV_TIMER'),
    certPath: state.get('KAMAILIO_CERT') ?? join(runDir, 'lab.test.crt'),
    logPath: state.get('KAMAILIO_LOG') ?? join(runDir, 'kamailio.log'),
    runDir,
    ...(options.rtpengine !== undefined && { rtpengine: { ports: rtpPorts(state.get('RTPENGINE_PORTS')), logPath: state.get('RTPENGINE_LOG') ?? join(runDir, 'rtpengine.log') } }),
    stop,
  };
}

/** `LOW-HIGH` of the state file. */
function rtpPorts(text: string | undefined): [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(text ?? '');
  if (!match) throw new PeerStartError('kamailio', `state file has no valid RTPENGINE_PORTS (${text})`, '');
  return [Number(match[1]), Number(match[2])];
}

/** KEY=VALUE lines as written by kamailio.sh. */
export function parseStateFile(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) entries.set(match[1]!, match[2]!);
  }
  return entries;
}
