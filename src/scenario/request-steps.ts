import { isSipUri } from '../config/scenario-schema.js';
import type { InfoStep, MessageStep, OptionsStep, RegisterStep, SubscribeStep, TransferStep } from '../config/scenario-types.js';
import type { SipbotsEvent, SipMessageEvent } from '../events/types.js';
import { parseSipMessage } from '../sip/message/parse-message.js';
import { judgeStatus } from './judge-status.js';
import type { RequestStepContext } from './request-step-context.js';

export { judgeStatus };
import { withTimeout } from './step-timing.js';
import { playSubscribe } from './subscribe-step.js';
import { playTransfer } from './transfer-step.js';

export type { RequestStepContext };

export type RequestStep = MessageStep | OptionsStep | InfoStep | RegisterStep | TransferStep | SubscribeStep;

/**
 * Plays a step that sends a request of its own and judges its final response: the `status`
 * written, or any 2xx. A MESSAGE to a role must also have reached that role's bot with its
 * text. A miss fails the case with what was expected and what came.
 */
export async function playRequestStep(step: RequestStep, context: RequestStepContext): Promise<void> {
  if (step.kind === 'message' || step.kind === 'options') return playOutOfDialog(step, context);
  if (step.kind === 'info') return playInfo(step, context);
  if (step.kind === 'transfer') return playTransfer(step, context);
  if (step.kind === 'subscribe') return playSubscribe(step, context);
  return playRegister(step, context);
}

async function playOutOfDialog(step: MessageStep | OptionsStep, context: RequestStepContext): Promise<void> {
  const sender = context.botOf(step.from);
  const receiver = isSipUri(step.to) ? undefined : context.botOf(step.to);
  const target = receiver ? receiver.aor : step.to;
  const what = `${step.kind} from ${step.from} (${sender.name}) to ${step.to}`;
  const content = step.kind === 'message' ? { body: step.body, contentType: step.contentType, headers: step.headers } : { headers: step.headers };
  const method = step.kind === 'message' ? 'MESSAGE' : 'OPTIONS';
  const response = await withTimeout(sender.request(method, target, content), context.timeoutMs, context.clock, `${what} got no final response`);
  judgeStatus(what, step.status, response);
  if (step.kind !== 'message' || !receiver || step.status !== undefined) return;
  const texts = receivedBodies(context.recorded, receiver.name, 'MESSAGE');
  if (!texts.includes(step.body)) {
    throw new Error(`${what}: ${receiver.name} received ${texts.length === 0 ? 'no MESSAGE' : `only ${texts.map((t) => JSON.stringify(t)).join(', ')}`}, not ${JSON.stringify(step.body)}`);
  }
}

/** RFC 6086 INFO carrying application/dtmf-relay (`Signal=5`), one per digit, on every connected call of the role. */
async function playInfo(step: InfoStep, context: RequestStepContext): Promise<void> {
  const bot = context.botOf(step.role);
  const connected = [...bot.calls.values()].filter((c) => c.state === 'confirmed');
  const what = `info ${step.digits} by ${step.role} (${bot.name})`;
  if (connected.length === 0) throw new Error(`${what}: no connected call`);
  for (const digit of step.digits) {
    const content = { body: `Signal=${digit}\r\nDuration=160\r\n`, contentType: 'application/dtmf-relay', headers: step.headers };
    const responses = await withTimeout(Promise.all(connected.map((c) => c.sendInfo(content))), context.timeoutMs, context.clock, `${what} got no final response`);
    for (const response of responses) judgeStatus(`${what} (digit ${digit})`, step.status, response);
  }
}

async function playRegister(step: RegisterStep, context: RequestStepContext): Promise<void> {
  const bot = context.botOf(step.role);
  const what = `${step.register ? 'register' : 'unregister'} of ${step.role} (${bot.name})${step.password === undefined ? '' : ' with the given password'}`;
  const response = step.register
    ? await bot.registerAgain({ ...(step.password === undefined ? {} : { password: step.password }), timeoutMs: context.timeoutMs })
    : await bot.unregisterNow(context.timeoutMs);
  judgeStatus(what, step.status, response);
}


/** Bodies of the requests of `method` a party received (retransmissions left out). */
export function receivedBodies(recorded: readonly SipbotsEvent[], party: string, method: string): string[] {
  return recorded
    .filter((e): e is SipMessageEvent => e.type === 'sip' && e.party === party && e.direction === 'in' && e.method === method && !e.retransmission)
    .map((e) => parseSipMessage(e.raw).body);
}
