/**
 * Latency on the loopback wire, the same way for every tool: tcpdump records Kamailio's port on
 * `lo` for a window of a run, and for each Call-ID the time from the caller's request that
 * carries credentials (INVITE with Proxy-Authorization, REGISTER with Authorization) reaching
 * Kamailio to Kamailio's 200 for it leaving towards that caller.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readSipCaptureFile } from '../../src/capture/pcap-reader.js';
import type { SipMessageEvent } from '../../src/events/types.js';

export interface WireLatency {
  /** Calls or registrations whose credentialed request and 200 both fell in the window. */
  count: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** What tcpdump said it dropped (kernel buffer full): latencies then miss some messages. */
  dropped: number;
  window_s: number;
}

export interface WireCapture {
  stop(): Promise<{ path: string; dropped: number }>;
}

/** Starts tcpdump on lo for UDP `port`, writing `path`; resolves once it listens. */
export async function captureLoopback(port: number, path: string): Promise<WireCapture> {
  const child = spawn('tcpdump', ['-i', 'lo', '-n', '-s', '0', '-B', '32768', '-w', path, 'udp', 'port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${stderr}`)), 10_000);
    const check = (): void => {
      if (/listening on/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr.on('data', check);
    child.once('exit', () => reject(new Error(`tcpdump exited: ${stderr}`)));
  });
  return {
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
      const dropped = Number(/(\d+) packets? dropped by kernel/.exec(stderr)?.[1] ?? 0);
      return { path, dropped };
    },
  };
}

const CREDENTIALS = /^(?:Proxy-)?Authorization\s*:/im;

/** Credentialed `method` request into Kamailio → first 200 for it out of Kamailio, per Call-ID. */
export async function wireLatency(path: string, kamailioPort: number, method: 'INVITE' | 'REGISTER', dropped: number, windowS: number): Promise<WireLatency> {
  const { messages } = await readSipCaptureFile(path);
  const sent = new Map<string, { at: number; from: string }>();
  const latencies: number[] = [];
  const answered = new Set<string>();
  for (const m of messages) {
    if (!m.callId) continue;
    if (m.method === method && m.remote.port === kamailioPort && CREDENTIALS.test(headerPart(m)) && !sent.has(m.callId)) {
      sent.set(m.callId, { at: m.at, from: `${m.local.address}:${m.local.port}` });
    } else if (m.status === 200 && m.local.port === kamailioPort && cseqMethod(m) === method && !answered.has(m.callId)) {
      const request = sent.get(m.callId);
      if (request && request.from === `${m.remote.address}:${m.remote.port}`) {
        answered.add(m.callId);
        latencies.push(m.at - request.at);
      }
    }
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => (latencies.length ? round(latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]!) : NaN);
  return { count: latencies.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1), dropped, window_s: windowS };
}

function headerPart(m: SipMessageEvent): string {
  const end = m.raw.indexOf('\r\n\r\n');
  return end < 0 ? m.raw : m.raw.slice(0, end);
}

function cseqMethod(m: SipMessageEvent): string | undefined {
  return m.cseq?.trim().split(/\s+/)[1];
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
