import { EventStream } from '../events/event-stream.js';
import type { SipbotsEvent, SipMessageEvent } from '../events/types.js';

/** Messages of unauthenticated exchanges logged per second at most (`proxy --out`). */
export const FLOOD_LOG_PER_SECOND = 100;

/**
 * Bounds what a flood can make `proxy --out` write (an 8 s flood once wrote 195 MB): messages of
 * unauthenticated exchanges (requests without credentials that start nothing we routed, the
 * stateless replies and 100 Trying they get, the ACKs of those replies) are written up to
 * `perSecond` a second; the rest are counted, and a `note` says each second how many were left
 * out. Everything else (registered users' calls, in-dialog requests along our Route) is
 * always written. Returns the stream to write from; `flush()` writes the last count.
 */
export function floodSampler(source: EventStream, statelessTag: string, perSecond = FLOOD_LOG_PER_SECOND): { logged: EventStream; flush: () => void } {
  const logged = new EventStream();
  let second = -1;
  let written = 0;
  let skipped = 0;
  const report = (at: number) => {
    if (skipped === 0) return;
    logged.emit({ type: 'note', at, party: 'proxy', message: `flood: ${skipped} messages of unauthenticated requests not logged in that second (at most ${perSecond} a second are)` });
    skipped = 0;
  };
  source.subscribe((event: SipbotsEvent) => {
    if (event.type !== 'sip' || !unauthenticated(event, statelessTag)) return logged.emit(event);
    const now = Math.floor(event.at / 1000);
    if (now !== second) {
      report(event.at);
      second = now;
      written = 0;
    }
    if (written < perSecond) {
      written++;
      logged.emit(event);
    } else {
      skipped++;
    }
  });
  return { logged, flush: () => report(Date.now()) };
}

function unauthenticated(event: SipMessageEvent, statelessTag: string): boolean {
  const head = event.raw.slice(0, Math.max(0, event.raw.indexOf('\r\n\r\n')) || event.raw.length);
  const toTag = /^(?:To|t)\s*:[^\r\n]*;\s*tag=([^;\s>]+)/im.exec(head)?.[1];
  if (event.status !== undefined) return event.status === 100 || toTag === statelessTag;
  if (event.method === undefined) return true;
  if (/^(?:Proxy-)?Authorization\s*:/im.test(head)) return false;
  if (toTag === undefined || toTag === statelessTag) return true;
  // In-dialog without a Route: not along a route set we record-routed (refused, see dialog-token.ts).
  return !/^(?:Route)\s*:/im.test(head);
}
