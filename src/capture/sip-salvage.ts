import type { SipMessageEvent } from '../events/types.js';

const REQUEST_LINE = /^([A-Za-z0-9.!%*_+`'~-]+) \S+ SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d)\b/;

/**
 * What a ladder needs from a message that failed strict parsing: start line, Call-ID, CSeq
 * and top Via branch, read line by line from whatever headers are there (compact forms too,
 * RFC 3261 §7.3.3), so the message is drawn in its call with the reason instead of vanishing.
 */
export function salvageHeaders(event: SipMessageEvent): Partial<SipMessageEvent> {
  const end = event.raw.search(/\r?\n\r?\n/);
  const lines = (end < 0 ? event.raw : event.raw.slice(0, end)).split(/\r?\n/);
  const first = lines[0]!.trim();
  const out: Partial<SipMessageEvent> = {};
  const request = REQUEST_LINE.exec(first);
  const status = STATUS_LINE.exec(first);
  if (request || status) out.startLine = first;
  if (request) out.method = request[1]!.toUpperCase();
  if (status) out.status = Number(status[1]);
  const header = (long: string, compact: string) => {
    const pattern = new RegExp(`^(?:${long}|${compact})[ \\t]*:[ \\t]*(.*)$`, 'i');
    for (const line of lines.slice(1)) {
      const match = pattern.exec(line);
      if (match && match[1]!.trim() !== '') return match[1]!.trim();
    }
    return undefined;
  };
  out.callId = event.callId ?? header('call-id', 'i');
  out.cseq = event.cseq ?? header('cseq', 'cseq');
  out.branch = event.branch ?? /;branch=([^;,\s]+)/i.exec(header('via', 'v') ?? '')?.[1];
  for (const key of Object.keys(out) as (keyof SipMessageEvent)[]) if (out[key] === undefined) delete out[key];
  return out;
}
