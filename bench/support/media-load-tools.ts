/**
 * What bench/media-load.ts drives besides sipbots: a process timed by bash (CPU of the whole
 * process), Kamailio + rtpengine from scripts/peers/kamailio.sh, SIPp as the echoing callee
 * and as a caller streaming a PCMU WAV (`rtp_stream`), and tcpdump on lo reading every RTP
 * packet sent to the echo port, from which each stream's send intervals are measured on the
 * wire, the same way for both tools.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { encodeG711 } from '../../src/media/g711.js';
import { ToneGenerator } from '../../src/media/tone.js';

export const repo = resolve(import.meta.dirname, '../..');

export interface Timed {
  code: number | null;
  stdout: string;
  stderr: string;
  /** user + system CPU seconds of the whole process (bash `time`). */
  cpuS: number;
}

/** Runs `command` under bash `time` in its own process group, killed after `killAfterS`. */
export function timed(command: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; killAfterS: number }): Promise<Timed> {
  const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((done) => {
    const child = spawn('bash', ['-c', `TIMEFORMAT='CPU %U %S'; time ${quoted}`], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => process.kill(-child.pid!, 'SIGTERM'), options.killAfterS * 1000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const match = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      done({ code, stdout, stderr, cpuS: match ? Number(match[1]) + Number(match[2]) : Number.NaN });
    });
  });
}

/** A UDP port free right now on 127.0.0.1 (even when `even`, for an RTP port whose +2 SIPp also uses). */
export async function freePort(even = false): Promise<number> {
  for (;;) {
    const socket = createSocket('udp4');
    const port = await new Promise<number>((done) => socket.bind(0, '127.0.0.1', () => done(socket.address().port)));
    await new Promise<void>((done) => socket.close(() => done()));
    if (!even || port % 2 === 0) return port;
  }
}

/** Kamailio (docker/kamailio/kamailio.cfg WITH_RTPENGINE) and rtpengine beside it, as test:interop starts them. */
export async function startKamailioWithRtpengine(stateDir: string, portCount: number): Promise<{ port: number; rtpenginePid: number; stop: () => Promise<void> }> {
  const env = { ...process.env, KAMAILIO_STATE: join(stateDir, 'state.env'), KAMAILIO_RTPENGINE: '1', RTPENGINE_PORT_COUNT: String(portCount), KAMAILIO_SHM_MB: '512' };
  const script = join(repo, 'scripts/peers/kamailio.sh');
  await promisify(execFile)('bash', [script, 'start'], { env, timeout: 60_000 });
  const state = new Map(readFileSync(join(stateDir, 'state.env'), 'utf8').split('\n').map((line) => line.split('=', 2) as [string, string]));
  const rtpenginePid = Number(readFileSync(join(state.get('KAMAILIO_RUN_DIR')!, 'rtpengine.pid'), 'utf8').trim());
  return { port: Number(state.get('KAMAILIO_PORT')), rtpenginePid, stop: async () => void (await promisify(execFile)('bash', [script, 'stop'], { env, timeout: 30_000 })) };
}

/** utime + stime of a process so far, seconds (USER_HZ 100). */
export function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** SIPp answering every call (test/interop/sipp/uas-answer.xml) and echoing all RTP sent to `mediaPort` back to its source. */
export async function startSippEcho(dir: string): Promise<{ port: number; mediaPort: number; stop: () => Promise<void> }> {
  const [port, mediaPort, controlPort] = [await freePort(), await freePort(true), await freePort()];
  const child = spawn('sipp', ['-sf', join(repo, 'test/interop/sipp/uas-answer.xml'), '-i', '127.0.0.1', '-p', String(port), '-ci', '127.0.0.1', '-cp', String(controlPort), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-rtp_echo', '-nostdin'], { cwd: dir, stdio: 'ignore' });
  await new Promise((done) => setTimeout(done, 500));
  if (child.exitCode !== null) throw new Error(`sipp -rtp_echo exited at once (${child.exitCode})`);
  return { port, mediaPort, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.on('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** The SIPp caller's files: a scenario that streams `tone.wav` (1 s of 1 kHz PCMU, looped) for -d ms after the ACK, then hangs up. */
export function writeSippCaller(dir: string): string {
  const tone = encodeG711('PCMU', new ToneGenerator({ frequencyHz: 1000 }).periodicSecond()!);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + tone.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  // WAVE_FORMAT_MULAW (7), mono, 8000 Hz, 8000 bytes/s, 1-byte blocks, 8 bits.
  header.writeUInt16LE(7, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(tone.length, 40);
  writeFileSync(join(dir, 'tone.wav'), Buffer.concat([header, tone]));
  const scenario = join(dir, 'uac-rtp-stream.xml');
  writeFileSync(scenario, readFileSync(join(repo, 'bench/support/uac-rtp-stream.xml'), 'utf8'));
  return scenario;
}

/** tcpdump on lo, writing the first 64 bytes of every UDP packet sent to `port` (enough for an RTP header). */
export async function startTcpdump(file: string, port: number): Promise<{ stop: () => Promise<{ dropped: number }> }> {
  const child = spawn('tcpdump', ['-i', 'lo', '-s', '64', '-B', '65536', '-w', file, `udp dst port ${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 100 && !/listening on/.test(stderr); i++) await new Promise((done) => setTimeout(done, 50));
  if (!/listening on/.test(stderr)) throw new Error(`tcpdump did not start: ${stderr}`);
  return {
    stop: async () => {
      await new Promise<void>((done) => {
        child.on('exit', () => done());
        child.kill('SIGINT');
      });
      return { dropped: Number(/(\d+) packets? dropped by kernel/.exec(stderr)?.[1] ?? Number.NaN) };
    },
  };
}

export interface WireIntervals {
  packets: number;
  streams: number;
  /** |interval − 20 ms| between consecutive packets of one SSRC, ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Send intervals per SSRC, from a classic pcap of Ethernet-framed IPv4/UDP/RTP (tcpdump -i lo). */
export function wireIntervals(file: string): WireIntervals {
  const pcap = readFileSync(file);
  if (pcap.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${file}: not a little-endian microsecond pcap`);
  const last = new Map<number, number>();
  const deviations: number[] = [];
  let packets = 0;
  for (let offset = 24; offset + 16 <= pcap.length; ) {
    const at = pcap.readUInt32LE(offset) * 1000 + pcap.readUInt32LE(offset + 4) / 1000;
    const length = pcap.readUInt32LE(offset + 8);
    const frame = pcap.subarray(offset + 16, offset + 16 + length);
    offset += 16 + length;
    if (frame.length < 34 || frame.readUInt16BE(12) !== 0x0800) continue;
    const rtp = 14 + (frame[14]! & 0x0f) * 4 + 8;
    if (frame.length < rtp + 12 || frame[rtp]! >> 6 !== 2) continue;
    packets++;
    const ssrc = frame.readUInt32BE(rtp + 8);
    const previous = last.get(ssrc);
    if (previous !== undefined) deviations.push(Math.abs(at - previous - 20));
    last.set(ssrc, at);
  }
  deviations.sort((a, b) => a - b);
  const at = (q: number): number => (deviations.length === 0 ? 0 : Math.round(deviations[Math.min(deviations.length - 1, Math.floor(q * deviations.length))]! * 100) / 100);
  return { packets, streams: last.size, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
}
