import type { CallState } from '../events/types.js';

/**
 * A call as one bot sees it (its dialog usage, RFC 3261 §12):
 *
 *   caller:  idle ─INVITE─▶ calling ─1xx─▶ ringing ─183+SDP─▶ early ─2xx─▶ confirmed
 *   callee:  idle ─INVITE in─▶ ringing ─────────────────────────────────▶ confirmed
 *            any state before confirmed ─final non-2xx / CANCEL─▶ terminated
 *            confirmed ─BYE─▶ terminating ─200─▶ terminated
 *            calling/ringing/early ─CANCEL sent─▶ terminating ─487─▶ terminated
 */
const ALLOWED: Readonly<Record<CallState, readonly CallState[]>> = {
  idle: ['calling', 'ringing', 'terminated'],
  calling: ['ringing', 'early', 'confirmed', 'terminating', 'terminated'],
  ringing: ['early', 'confirmed', 'terminating', 'terminated'],
  early: ['ringing', 'confirmed', 'terminating', 'terminated'],
  confirmed: ['terminating', 'terminated'],
  terminating: ['confirmed', 'terminated'],
  terminated: [],
};

export class IllegalCallTransitionError extends Error {
  constructor(
    readonly from: CallState,
    readonly to: CallState,
    readonly callId: string,
  ) {
    super(`call ${callId}: illegal transition ${from} → ${to}`);
    this.name = 'IllegalCallTransitionError';
  }
}

export function isActive(state: CallState): boolean {
  return state !== 'idle' && state !== 'terminated';
}

/** Throws on a move the diagram does not allow; a repeated state is a no-op (returns false). */
export function checkTransition(callId: string, from: CallState, to: CallState): boolean {
  if (from === to) return false;
  if (!ALLOWED[from].includes(to)) throw new IllegalCallTransitionError(from, to, callId);
  return true;
}
