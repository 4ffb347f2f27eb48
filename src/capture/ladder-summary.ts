import { SKIP_LABELS, type SkipReason } from './decode/skip-reasons.js';
import type { CaptureSummary } from './pcap-reader.js';

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/**
 * One sentence that accounts for every frame of a capture:
 * `read 1,204 frames: 1,112 SIP messages in 6 calls; skipped 80 RTP, 12 TLS ..., 0 unknown`.
 * Reasons with no frames are left out, except `unknown`, which is always said.
 */
export function renderCaptureSummary(summary: CaptureSummary, messages: number, calls: number): string {
  const parts: string[] = [];
  for (const reason of Object.keys(SKIP_LABELS) as SkipReason[]) {
    const n = summary.skipped.get(reason) ?? 0;
    if (reason === 'unknown') continue;
    if (n === 0) continue;
    let label = SKIP_LABELS[reason];
    if (reason === 'tls-sip') label = label.replace('on a SIP port', `on SIP port${summary.tlsSipPorts.length > 1 ? 's' : ''} ${summary.tlsSipPorts.join(', ')}`);
    parts.push(`${count(n)} ${label}`);
  }
  const unknown = summary.skipped.get('unknown') ?? 0;
  const details = [...summary.unknown].map(([what, n]) => `${count(n)} ${what}`).join(', ');
  parts.push(`${count(unknown)} unknown${unknown > 0 ? ` (${details})` : ''}`);
  const line = `read ${plural(summary.frames, 'frame')}: ${plural(messages, 'SIP message')} in ${plural(calls, 'call')}; skipped ${parts.join(', ')}`;
  return line;
}

/** Warnings a reader of the ladder must see: a cut file, a decompressed one. */
export function captureWarnings(summary: CaptureSummary, file: string): string[] {
  const out: string[] = [];
  if (summary.compressed) out.push(`${file} is gzip-compressed; read it through gunzip`);
  if (summary.truncated) {
    out.push(`${file} is cut short at byte ${summary.truncated.offset} (${summary.truncated.reason}): read the ${plural(summary.frames, 'whole frame')} before it`);
  }
  return out;
}
