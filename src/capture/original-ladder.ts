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
 * arrows are paired in order (longest common subsequence) by lane positions and message
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
  const a = run.arrows.filter((arrow) => !arrow.retransmission);
  const b = original.arrows.filter((arrow) => !arrow.retransmission);
  const keyA = a.map((arrow) => keyOf(arrow, run));
  const keyB = b.map((arrow) => keyOf(arrow, original));
  // lengths[i][j]: the longest common run of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lengths[i]![j] = keyA[i] === keyB[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
  }
  const unmatched = { run: new Set<number>(), original: new Set<number>() };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && keyA[i] === keyB[j]) {
      i++;
      j++;
    } else if (j >= b.length || (i < a.length && lengths[i + 1]![j]! >= lengths[i]![j + 1]!)) unmatched.run.add(a[i++]!.index);
    else unmatched.original.add(b[j++]!.index);
  }
  return unmatched;
}

function keyOf(arrow: LadderArrow, ladder: Ladder): string {
  const message = arrow.method ?? `${arrow.status ?? '?'}/${arrow.cseqMethod ?? '?'}`;
  return `${ladder.columns.indexOf(arrow.from)}>${ladder.columns.indexOf(arrow.to)} ${message}`;
}
