import type { SipbotsEvent } from '../events/types.js';
import { readInputText } from '../util/input-file.js';
import { CaptureFormatError } from './capture-errors.js';

const EVENT_TYPES = new Set(['sip', 'call-state', 'registration', 'rtp', 'media-stats', 'case-start', 'case-end', 'note', 'finding']);

/**
 * Reads `messages.jsonl` (see JsonlWriter) back into events: RTP bytes come back from base64.
 * A line that is not a JSON event is a CaptureFormatError naming the line and its byte offset;
 * an empty last line (the file ends with a newline) is fine.
 */
export function readMessagesJsonl(text: string, file?: string): SipbotsEvent[] {
  const events: SipbotsEvent[] = [];
  let offset = 0;
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const lineOffset = offset;
    offset += Buffer.byteLength(line) + 1;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new CaptureFormatError(`line ${index + 1} is not JSON`, lineOffset, file, { cause: error });
    }
    if (!isEventShape(value)) throw new CaptureFormatError(`line ${index + 1} is not a sipbots event (needs type and at)`, lineOffset, file);
    if (value.type === 'rtp' && typeof value.bytes === 'string') value.bytes = Buffer.from(value.bytes, 'base64');
    events.push(value as unknown as SipbotsEvent);
  });
  return events;
}

export async function readMessagesJsonlFile(path: string): Promise<SipbotsEvent[]> {
  return readMessagesJsonl(await readInputText(path, 'capture'), path);
}

function isEventShape(value: unknown): value is Record<string, unknown> & { type: string; at: number } {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.type === 'string' && EVENT_TYPES.has(record.type) && typeof record.at === 'number' && typeof record.party === 'string';
}
