import { join } from 'node:path';
import { startTcpdump } from '../../capture/fixtures/peers.js';
import { tshark } from '../../capture/fixtures/tshark.js';

/** A response with Retry-After on the wire, and when the same Call-ID's next REGISTER followed it. */
export interface RetryOnTheWire {
  callId: string;
  status: number;
  retryAfter: string;
  /** From the response leaving the registrar to the next REGISTER reaching it, ms (capture timestamps). */
  gapMs: number;
}

/**
 * tcpdump on loopback for the registrar's UDP `port`, read back with tshark: each response to a
 * REGISTER that carried Retry-After, and how long after it the client's next REGISTER came.
 */
export async function captureRetries(port: number, dir: string): Promise<{ stop(): Promise<RetryOnTheWire[]> }> {
  const file = join(dir, 'registrar.pcap');
  const capture = await startTcpdump(['-i', 'lo', '-w', file, 'udp', 'port', String(port)]);
  return {
    stop: async () => {
      await capture.stop();
      const fields = ['frame.time_epoch', 'sip.Call-ID', 'sip.Method', 'sip.Status-Code', 'sip.Retry-After'];
      const rows = tshark(['-r', file, '-d', `udp.port==${port},sip`, '-Y', 'sip.CSeq.method == "REGISTER"', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])])
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const [time, callId, method, status, retryAfter] = line.split('\t');
          return { ms: Number(time) * 1000, callId: callId!, method: method!, status: Number(status || 0), retryAfter: retryAfter ?? '' };
        });
      const retries: RetryOnTheWire[] = [];
      rows.forEach((row, i) => {
        if (row.retryAfter === '') return;
        const next = rows.slice(i + 1).find((r) => r.callId === row.callId && r.method === 'REGISTER');
        if (next) retries.push({ callId: row.callId, status: row.status, retryAfter: row.retryAfter, gapMs: next.ms - row.ms });
      });
      return retries;
    },
  };
}
