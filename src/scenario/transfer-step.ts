import type { Call } from '../bot/call.js';
import { isSipUri } from '../config/scenario-schema.js';
import type { TransferStep } from '../config/scenario-types.js';
import { judgeStatus } from './judge-status.js';
import type { RequestStepContext } from './request-step-context.js';
import { withTimeout } from './step-timing.js';

/**
 * Transfer of the role's connected call(s): REFER, then the transferee's NOTIFY sipfrag must
 * report the expected final status; the transferor then leaves with BYE (RFC 5589 §6, §7).
 * Attended, the Refer-To names the consult call with Replaces, and the target must end that
 * call itself with BYE once the transferee's INVITE replaced it (RFC 3891 §3).
 */
export async function playTransfer(step: TransferStep, context: RequestStepContext): Promise<void> {
  const bot = context.botOf(step.role);
  const consult = step.attended === undefined ? undefined : namedCall(step.attended, context);
  const what = consult
    ? `attended transfer by ${step.role} (${bot.name})${step.call ? ` of ${step.call}` : ''} to the far end of ${step.attended}`
    : `transfer by ${step.role} (${bot.name}) to ${step.to}`;
  const target: string | Call = consult ?? (isSipUri(step.to!) ? step.to! : context.botOf(step.to!).aor);
  if (consult && consult.state !== 'confirmed') throw new Error(`${what}: ${step.attended} is ${consult.state}, not connected (the consultation call must be answered first)`);
  const chosen = step.call === undefined ? [...bot.calls.values()] : [namedCall(step.call, context)];
  const connected = chosen.filter((c) => c.state === 'confirmed' && c !== consult);
  if (connected.length === 0) throw new Error(`${what}: no connected call to transfer`);
  for (const call of connected) {
    const result = await withTimeout(call.transfer(target, { headers: step.headers }), context.timeoutMs, context.clock, `${what}: no final NOTIFY (message/sipfrag)`);
    if (result.from === 'refer') throw new Error(`${what}: the REFER was answered ${result.status} ${result.reason}`);
    judgeStatus(`${what} (NOTIFY sipfrag)`, step.status, result);
    await call.hangup();
  }
  if (consult) {
    await withTimeout(consult.reach('terminated'), context.timeoutMs, context.clock, `${what}: ${step.attended} was not ended by its far end after the transfer (no BYE)`);
    if (consult.endedBy !== 'remote') throw new Error(`${what}: ${step.attended} ended from this side, not by the far end's BYE after the replacing INVITE`);
  }
}

function namedCall(name: string, context: RequestStepContext): Call {
  const call = context.callNamed?.(name);
  if (!call) throw new Error(`no call named ${name} was placed before this step`);
  return call;
}
