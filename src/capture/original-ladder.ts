import { buildLadder, type Ladder, type LadderArrow } from './ladder-model.js';
import type { OriginalCapture } from './original-capture.js';
import { orderLanes } from './report-lanes.js';

/** The original capture's ladder beside a run's, as a case section shows it. */
export interface OriginalLadder {
  /** The capture file, as the scenario's `source:` resolved it. */
  capture: string;
  calls: string[];
  ladder?: Ladder;
  problem?: string;
  /** Arrows (indices) of each ladder the other one has no counterpart for. */
  unmatched: { run: Set<number>; original: Set<number> };
}

/**
 * The original's ladder, and which arrows of the two ladders have no counterpart in the other:
 * arrows are paired hop by hop, in order (longest common subsequence), by lane positions and message
 * (method, or status with the CSeq method: reason phrases differ between tools);
 * retransmissions are neither paired nor marked.
 */
export function originalLadder(original: OriginalCapture, run: Ladder): OriginalLadder {
  const base = { capture: original.source.capture, calls: original.source.calls };
  if (!original.messages) return { ...base, problem: original.problem ?? 'not read', unmatched: { run: new Set(), original: new Set() } };
  const options = { callIds: original.source.calls, ...(original.names ? { names: original.names } : {}) };
  // Lanes as the run's ladder orders them (report-lanes), so the two read side by side.
  const unordered = buildLadder(original.messages, options);
  const ladder = buildLadder(original.messages, { ...options, columns: orderLanes(unordered.arrows, unordered.arrows.find((a) => a.method === 'INVITE')?.from) });
  return { ...base, ladder, unmatched: unmatchedArrows(run, ladder) };
}

function unmatchedArrows(run: Ladder, original: Ladder): OriginalLadder['unmatched'] {
  const unmatched = { run: new Set<number>(), original: new Set<number>() };
  // Hop by hop: what two hops carry at the same time may interleave either way in a capture.
  const hops = (ladder: Ladder) => {
    const byHop = new Map<string, LadderArrow[]>();
    for (const arrow of ladder.arrows) if (!arrow.retransmission) byHop.set(hopOf(arrow, ladder), [...(byHop.get(hopOf(arrow, ladder)) ?? []), arrow]);
    return byHop;
  };
  const ours = hops(run);
  const theirs = hops(original);
  for (const hop of new Set([...ours.keys(), ...theirs.keys()])) {
    const [a, b] = pairInOrder(ours.get(hop) ?? [], theirs.get(hop) ?? [], (arrow) => keyOf(arrow, run), (arrow) => keyOf(arrow, original));
    for (const arrow of a) unmatched.run.add(arrow.index);
    for (const arrow of b) unmatched.original.add(arrow.index);
  }
  return unmatched;
}

/** The arrows of `a` and of `b` left unpaired by their longest common subsequence of keys. */
function pairInOrder(a: readonly LadderArrow[], b: readonly LadderArrow[], keyA: (x: LadderArrow) => string, keyB: (x: LadderArrow) => string): [LadderArrow[], LadderArrow[]] {
  const ka = a.map(keyA);
  const kb = b.map(keyB);
  // lengths[i][j]: the longest common run of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lengths[i]![j] = ka[i] === kb[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
  }
  const left: [LadderArrow[], LadderArrow[]] = [[], []];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && ka[i] === kb[j]) {
      i++;
      j++;
    } else if (j >= b.length || (i < a.length && lengths[i + 1]![j]! >= lengths[i]![j + 1]!)) left[0].push(a[i++]!);
    else left[1].push(b[j++]!);
  }
  return left;
}

/** The two lanes an arrow joins, by position, either way. */
function hopOf(arrow: LadderArrow, ladder: Ladder): string {
  const ends = [ladder.columns.indexOf(arrow.from), ladder.columns.indexOf(arrow.to)].sort((x, y) => x - y);
  return ends.join('-');
}

function keyOf(arrow: LadderArrow, ladder: Ladder): string {
  const message = arrow.method ?? `${arrow.status ?? '?'}/${arrow.cseqMethod ?? '?'}`;
  return `${ladder.columns.indexOf(arrow.from)}>${ladder.columns.indexOf(arrow.to)} ${message}`;
}
