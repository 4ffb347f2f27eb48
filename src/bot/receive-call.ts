import { resolveBehaviour, type CalleeBehaviour } from '../config/behaviour.js';
import type { BotConfig } from '../config/bots-schema.js';
import type { IncomingCall } from '../sip/ua/incoming-call.js';
import { Call } from './call.js';
import { wireMediaControl } from './call-media-control.js';
import { answerIncomingCall } from './callee-policy.js';
import type { CallPlacer } from './place-call.js';

/** What answering a call needs of its bot. */
export interface CallReceiver extends Pick<CallPlacer, 'name' | 'events' | 'clock' | 'logger'> {
  calls: Map<string, Call>;
  account: BotConfig;
  behaviourOverride: Partial<CalleeBehaviour> | undefined;
  onIncomingCall: ((call: Call) => Partial<CalleeBehaviour> | undefined) | undefined;
  inCall: (except?: string) => boolean;
  takeTransfers: (session: IncomingCall) => void;
}

/** The callee's side of one call: tracked in `bot.calls` and answered as the bot's behaviour (and a scenario's claim on it) says. */
export function receiveCall(bot: CallReceiver, incoming: IncomingCall): void {
  const call = new Call(bot.name, 'callee', incoming.callId, bot.events, bot.clock);
  call.remoteUri = incoming.remoteUri;
  // A self-call arrives with the Call-ID of our own outgoing leg: keep both under distinct keys.
  const key = bot.calls.has(call.callId) ? `${call.callId}#in` : call.callId;
  bot.calls.set(key, call);
  // RFC 3891 §3: an INVITE replacing one of our calls is answered without ringing, busy or not.
  const claimed = bot.onIncomingCall?.(call);
  const behaviour = resolveBehaviour(bot.account.behaviour, bot.behaviourOverride, incoming.replacing ? { onInvite: 'answer', ringForMs: 0, ...claimed } : claimed);
  wireMediaControl(call, incoming);
  bot.takeTransfers(incoming);
  answerIncomingCall({ incoming, call, behaviour, busy: !incoming.replacing && behaviour.busyWhenInCall && bot.inCall(key), logger: bot.logger });
}
