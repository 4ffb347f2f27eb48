import type { Call } from '../bot/call.js';
import type { CaseOutcome } from './result-types.js';

/** How a call ended, from its final status: 2xx answered, 487 cancelled, 408 timeout, else rejected. */
export function outcomeOf(call: Call): CaseOutcome {
  const status = call.finalStatus;
  if (status === undefined) return 'failed';
  if (status >= 200 && status < 300) return 'answered';
  if (status === 487) return 'cancelled';
  if (status === 408) return 'timeout';
  return 'rejected';
}
