import type { SipbotsEvent, SipMessageEvent } from '../events/types.js';
import { formatEndpoint, type TransportProtocol } from '../sip/transport/types.js';

/** One message on the ladder: a single arrow even when both ends recorded it. */
export interface LadderArrow {
  index: number;
  /** Epoch ms of the earliest view (normally the send). */
  at: number;
  /** Milliseconds since the ladder's first message, not counting gaps (see gapMs). */
  offsetMs: number;
  /** Set when the capture's clock jumped more than a day before this message: the jump. */
  gapMs?: number;
  from: string;
  to: string;
  /** `INVITE` or `407 Proxy Authentication Required`. */
  label: string;
  /** The label with what a reader needs to tell arrows apart: `200 OK (BYE)`, `INVITE [retx]`. */
  caption: string;
  kind: 'request' | 'provisional' | 'success' | 'failure' | 'unparsable';
  method?: string;
  status?: number;
  /** CSeq method: what a response answers. */
  cseqMethod?: string;
  callId?: string;
  branch?: string;
  transport: TransportProtocol;
  retransmission: boolean;
  /** Why the message failed strict parsing (bad Content-Length, cut by the snap length...). */
  problem?: string;
  raw: string;
  /** The events that recorded this message (one or two views). */
  views: SipMessageEvent[];
}

export interface Ladder {
  columns: string[];
  arrows: LadderArrow[];
  /** Epoch ms of the first arrow, 0 for an empty ladder. */
  startedAt: number;
}

export interface LadderOptions {
  /** Only messages of these calls. */
  callIds?: readonly string[];
  /** Only events of this case. */
  caseId?: string;
  /** Preferred column order (`alice`, `proxy`, `bob`); others follow in order of appearance. */
  columns?: readonly string[];
  /** Display names for parties or `address:port` endpoints (from namePartiesByUser). */
  names?: ReadonlyMap<string, string>;
}

/** Two views of one message further apart than this are treated as two messages. */
const VIEW_PAIRING_WINDOW_MS = 5000;

/**
 * Captures stitched from several files or a clock that was set while capturing jump by days or
 * years; such a jump is drawn as a gap, so the times after it stay short and rows stay in line.
 */
const CLOCK_JUMP_MS = 24 * 3600 * 1000;

/** `412.3 days later`, for the gap marker renderers draw before a jump. */
export function describeGap(ms: number): string {
  const days = ms / (24 * 3600 * 1000);
  return days >= 730 ? `${(days / 365.25).toFixed(1)} years later` : `${days.toFixed(1)} days later`;
}

/** `1.234s`, `1234.567s`: the time column of every renderer. */
export function formatOffset(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

interface OpenArrow {
  arrow: LadderArrow;
  has: 'in' | 'out';
}

/**
 * Events to a ladder: columns are parties, an arrow goes from sender to receiver. A message
 * sent by alice and received by the proxy was recorded twice (alice's `out`, the proxy's `in`)
 * and becomes one arrow; the same bytes between the same two parties again are a
 * retransmission (also when the sender's reliability layer said so).
 */
export function buildLadder(events: readonly SipbotsEvent[], options: LadderOptions = {}): Ladder {
  const sip = events.filter((e): e is SipMessageEvent => e.type === 'sip');
  const owner = new Map<string, string>();
  for (const event of sip) if (!owner.has(formatEndpoint(event.local))) owner.set(formatEndpoint(event.local), event.party);
  const name = (party: string) => options.names?.get(party) ?? party;
  const partyAt = (endpoint: SipMessageEvent['remote']) => name(owner.get(formatEndpoint(endpoint)) ?? formatEndpoint(endpoint));

  const callIds = options.callIds ? new Set(options.callIds) : undefined;
  const selected = sip
    .filter((e) => (!callIds || (e.callId !== undefined && callIds.has(e.callId))) && (!options.caseId || e.caseId === options.caseId))
    .map((event, order) => ({ event, order }))
    .sort((a, b) => a.event.at - b.event.at || a.order - b.order)
    .map(({ event }) => event);

  const arrows: LadderArrow[] = [];
  const open = new Map<string, OpenArrow[]>();
  const seen = new Set<string>();
  for (const event of selected) {
    const from = event.direction === 'out' ? name(event.party) : partyAt(event.remote);
    const to = event.direction === 'out' ? partyAt(event.remote) : name(event.party);
    const key = `${from}\u0000${to}\u0000${event.raw}`;
    const queue = open.get(key) ?? [];
    const match = queue.findIndex((o) => o.has !== event.direction && Math.abs(o.arrow.at - event.at) <= VIEW_PAIRING_WINDOW_MS);
    if (match >= 0) {
      const { arrow } = queue.splice(match, 1)[0]!;
      arrow.views.push(event);
      arrow.at = Math.min(arrow.at, event.at);
      if (event.retransmission) arrow.retransmission = true;
      continue;
    }
    const arrow = newArrow(event, from, to, arrows.length, seen.has(key));
    seen.add(key);
    arrows.push(arrow);
    queue.push({ arrow, has: event.direction });
    open.set(key, queue);
  }

  arrows.sort((a, b) => a.at - b.at || a.index - b.index);
  const startedAt = arrows[0]?.at ?? 0;
  let skippedMs = 0;
  arrows.forEach((arrow, index) => {
    const jump = index > 0 ? arrow.at - arrows[index - 1]!.at : 0;
    if (jump > CLOCK_JUMP_MS) {
      arrow.gapMs = jump;
      skippedMs += jump;
    }
    arrow.index = index;
    arrow.offsetMs = arrow.at - startedAt - skippedMs;
    arrow.caption = captionOf(arrow);
  });
  return { columns: orderColumns(arrows, options.columns ?? []), arrows, startedAt };
}

function newArrow(event: SipMessageEvent, from: string, to: string, index: number, repeated: boolean): LadderArrow {
  const cseqMethod = event.cseq?.trim().split(/\s+/)[1]?.toUpperCase();
  const arrow: LadderArrow = {
    index,
    at: event.at,
    offsetMs: 0,
    from,
    to,
    label: labelOf(event),
    caption: '',
    kind: kindOf(event),
    method: event.method,
    status: event.status,
    cseqMethod,
    callId: event.callId,
    branch: event.branch,
    transport: event.transport,
    retransmission: repeated || event.retransmission === true,
    ...(event.parseError !== undefined ? { problem: event.parseError.replace(/^malformed SIP message: /, '') } : {}),
    raw: event.raw,
    views: [event],
  };
  return arrow;
}

function labelOf(event: SipMessageEvent): string {
  if (event.method) return event.method;
  if (event.status !== undefined && event.startLine) return event.startLine.replace(/^SIP\/2\.0\s+/, '');
  return '(unparsable)';
}

function kindOf(event: SipMessageEvent): LadderArrow['kind'] {
  if (event.method) return 'request';
  if (event.status === undefined) return 'unparsable';
  if (event.status < 200) return 'provisional';
  return event.status < 300 ? 'success' : 'failure';
}

function captionOf(arrow: LadderArrow): string {
  let caption = arrow.label;
  if (arrow.status !== undefined && arrow.cseqMethod && arrow.cseqMethod !== 'INVITE') caption += ` (${arrow.cseqMethod})`;
  if (arrow.retransmission) caption += ' [retx]';
  if (arrow.problem !== undefined) caption += ` [!${arrow.problem}]`;
  return caption;
}

function orderColumns(arrows: readonly LadderArrow[], preferred: readonly string[]): string[] {
  const present = new Set<string>();
  for (const arrow of arrows) present.add(arrow.from).add(arrow.to);
  const columns = preferred.filter((c) => present.has(c));
  for (const arrow of arrows) {
    for (const party of [arrow.from, arrow.to]) if (!columns.includes(party)) columns.push(party);
  }
  return columns;
}
