import type { Bot } from '../bot/bot.js';
import type { Call } from '../bot/call.js';
import type { SipbotsEvent } from '../events/types.js';
import type { Clock } from '../util/clock.js';

export interface RequestStepContext {
  botOf: (role: string) => Bot;
  /** What the case recorded so far (the receiving bot's side of a MESSAGE). */
  recorded: readonly SipbotsEvent[];
  clock: Clock;
  timeoutMs: number;
  /** The call a call step of this case placed, by the step's name. */
  callNamed?: (name: string) => Call | undefined;
}
