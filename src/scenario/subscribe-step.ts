import { isSipUri } from '../config/scenario-schema.js';
import type { SubscribeStep } from '../config/scenario-types.js';
import type { SipMessageEvent } from '../events/types.js';
import type { RequestStepContext } from './request-step-context.js';
import { compareFlow } from './compare-flow.js';
import { sleep, withTimeout } from './step-timing.js';

/** How long the subscriber's last answers (200 to the NOTIFY) may take to show in the recorded flow. */
const LEG_SETTLE_MS = 1000;

/**
 * SUBSCRIBE, then the first NOTIFY (RFC 6665 §4.1.2.4), then unless told otherwise SUBSCRIBE
 * Expires: 0 and the NOTIFY that says terminated (§4.1.2.3); each miss fails the case naming
 * what came instead. A refusal the step expects (`status: 489`) ends it there.
 */
export async function playSubscribe(step: SubscribeStep, context: RequestStepContext): Promise<void> {
  const bot = context.botOf(step.role);
  const target = isSipUri(step.to) ? step.to : context.botOf(step.to).aor;
  const what = `subscribe ${step.event} by ${step.role} (${bot.name}) to ${step.to}`;
  const within = <T>(work: Promise<T>, missing: string) => withTimeout(work, context.timeoutMs, context.clock, `${what}: ${missing}`);
  const outcome = await within(bot.subscribe(target, step.event, step.expires, { headers: step.headers }), 'no final response to the SUBSCRIBE');
  const { status, reason } = outcome.response;
  const accepted = step.status === undefined ? status >= 200 && status < 300 : step.status.includes(status);
  if (!accepted) throw new Error(`${what}: expected ${step.status?.join(' or ') ?? '200 or 202'}, got ${status} ${reason}`);
  if (outcome.subscription) {
    const first = await within(outcome.subscription.firstNotify(), 'no NOTIFY after the SUBSCRIBE was accepted');
    if (step.notify !== undefined && !new RegExp(step.notify).test(first.body)) {
      throw new Error(`${what}: the NOTIFY body does not match /${step.notify}/: ${abbreviated(first.body)}`);
    }
    if (step.unsubscribe) {
      const end = await within(outcome.subscription.unsubscribe(), 'no answer and terminated NOTIFY to the unsubscribe (Expires: 0)');
      if (end.response.status >= 300) throw new Error(`${what}: the unsubscribe (Expires: 0) was answered ${end.response.status} ${end.response.reason}`);
    }
  }
  if (step.leg) await judgeLeg(`${step.role} (${bot.name}) subscription`, step, (): SipMessageEvent[] => subscriberFlow(context, bot.name, outcome.callId), context);
}

async function judgeLeg(leg: string, step: SubscribeStep, observed: () => SipMessageEvent[], context: RequestStepContext): Promise<void> {
  const deadline = context.clock.now() + LEG_SETTLE_MS;
  let difference = compareFlow(leg, step.leg!, observed());
  while (difference !== undefined && context.clock.now() < deadline) {
    await sleep(context.clock, 50);
    difference = compareFlow(leg, step.leg!, observed());
  }
  if (difference !== undefined) throw new Error(difference);
}

function subscriberFlow(context: RequestStepContext, party: string, callId: string): SipMessageEvent[] {
  return context.recorded.filter((e): e is SipMessageEvent => e.type === 'sip' && e.party === party && e.callId === callId && !e.retransmission);
}

function abbreviated(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}
