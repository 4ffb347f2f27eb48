import type { CaptureSource } from '../config/scenario-types.js';
import type { SipMessageEvent } from '../events/types.js';
import type { CaseResult } from '../scenario/result-types.js';
import { namePartiesByUser } from './ladder-names.js';
import { readSipCaptureFile } from './pcap-reader.js';

/**
 * The capture a scenario was made from (`source:`), as read for the report: the messages of
 * its calls, or why they could not be read. A missing or broken capture costs the report
 * only this ladder; the run stands as it is.
 */
export interface OriginalCapture {
  source: CaptureSource;
  /** The messages of `source.calls`, in capture order. */
  messages?: SipMessageEvent[];
  /** Capture endpoints named after the users that registered from them (namePartiesByUser). */
  names?: Map<string, string>;
  /** Why there is no ladder: the file's error, or none of its messages belongs to the calls. */
  problem?: string;
}

/** The original captures of the cases that name one, by case id; each file read once. */
export async function readOriginalCaptures(cases: readonly CaseResult[]): Promise<Map<string, OriginalCapture>> {
  const files = new Map<string, Promise<{ messages: SipMessageEvent[] } | { problem: string }>>();
  const originals = new Map<string, OriginalCapture>();
  for (const result of cases) {
    const source = result.source;
    if (!source) continue;
    if (!files.has(source.capture)) files.set(source.capture, readCapture(source.capture));
    const read = await files.get(source.capture)!;
    if ('problem' in read) {
      originals.set(result.id, { source, problem: read.problem });
      continue;
    }
    const calls = new Set(source.calls);
    const messages = read.messages.filter((m) => m.callId !== undefined && calls.has(m.callId));
    originals.set(
      result.id,
      messages.length === 0
        ? { source, problem: `no message of call ${source.calls.join(', ')} in ${source.capture}` }
        : { source, messages, names: namePartiesByUser(read.messages) },
    );
  }
  return originals;
}

async function readCapture(file: string): Promise<{ messages: SipMessageEvent[] } | { problem: string }> {
  try {
    return { messages: (await readSipCaptureFile(file, { allowTruncated: true })).messages };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}
