import type { CallFacts } from './call-facts.js';
import { codecsOffered } from './unreproducible.js';

/**
 * The header lines of a generated scenario: for each call, what was read from which message
 * (times after the capture's first SIP message, as Wireshark's "seconds since beginning of
 * capture" shows them when the capture starts with SIP) and which field it became. A callee's
 * 183 with SDP before its final response becomes `earlyMedia` (the time from the 183 to the final
 * response, in place of `ringFor`), and `rel100: required` when that 183 carried `Require: 100rel`
 * (the caller's call step then offers 100rel, and its PRACK is in the legs as captured); a 183
 * without SDP is listed as not reproduced.
 */
export function explainInferences(facts: readonly CallFacts[], parts: ReadonlyArray<{ from: string; to: string; name: string }>, origin: number): string[] {
  const t = (at: number | undefined) => (at === undefined ? '?' : `+${((at - origin) / 1000).toFixed(3)} s`);
  const gap = (from: number | undefined, to: number) => (from === undefined ? '' : `${((to - from) / 1000).toFixed(3)} s after `);
  const lines: string[] = [];
  facts.forEach((f, i) => {
    const { from, to, name } = parts[i]!;
    const via = f.call.proxies.length > 0 ? ` via ${f.call.proxies.join(', ')}` : '';
    lines.push(`${name}: INVITE at ${t(f.startAt)} (Call-ID ${f.call.callId}) from ${f.call.caller}${via} to ${f.call.callee}: From user ${f.call.fromUser} plays role ${from}, To user ${f.call.toUser} role ${to}`);
    const codecs = codecsOffered(f.call);
    if (codecs.length > 0) lines.push(`${name}: codecs offered: ${codecs.join(', ')}`);
    if (f.call.answeredByServer) {
      const status = f.callerFinal ? `${f.callerFinal.status} at ${t(f.callerFinal.at)}` : 'nothing';
      lines.push(`${name}: the server ${f.call.callee} answered ${status} itself, no callee was reached: its hops are the server's, not a role's -> the call goes to ${to}, only the ${from}'s leg is expected`);
      if (f.callerFinal) lines.push(`${name}: ${from} got ${f.callerFinal.status} at ${t(f.callerFinal.at)}${i === facts.length - 1 ? ' -> expect.status and outcome' : ''}`);
      return;
    }
    const arrived = f.calleeInviteAt;
    const early = f.calleeEarlyMedia;
    const rang = (f.calleeRangAt !== undefined ? `, 180 at ${t(f.calleeRangAt)}` : ', no 180') + (early ? `, 183 with SDP at ${t(early.at)}${early.reliable ? ' (Require: 100rel)' : ''}` : '');
    if (f.calleeFinal) {
      lines.push(`${name}: ${to} sent ${f.calleeFinal.status} at ${t(f.calleeFinal.at)}, ${gap(arrived, f.calleeFinal.at)}the INVITE reached it at ${t(arrived)}${rang} -> behaviour.${to}`);
    } else {
      lines.push(`${name}: ${to} got the INVITE at ${t(arrived)}${rang} and sent no final response of its own -> behaviour.${to}.onInvite: ring`);
    }
    if (early) {
      const end = f.calleeFinal ? `its ${f.calleeFinal.status}` : 'the end of the call';
      lines.push(`${name}: ${to} sent 183 with SDP at ${t(early.at)}, ${(((f.calleeFinal?.at ?? f.endAt) - early.at) / 1000).toFixed(3)} s before ${end} -> behaviour.${to}.earlyMedia (instead of ringFor)${early.reliable ? `; it carried Require: 100rel -> behaviour.${to}.rel100: required and rel100 on ${from}'s call step` : ''}`);
    }
    if (f.cancelAt !== undefined) lines.push(`${name}: ${from} sent CANCEL at ${t(f.cancelAt)}, ${gap(f.startAt, f.cancelAt)}its INVITE -> its cancelAfter (or a hangup step)`);
    if (f.bye) {
      const confirmed = f.bye.by === 'callee' ? f.calleeConfirmedAt : f.callerConfirmedAt;
      const field = f.bye.by === 'callee' ? `behaviour.${to}.hangupAfter` : f.bye.by === 'caller' ? 'its hangupAfter (or a hangup step)' : 'nothing (see below)';
      lines.push(`${name}: BYE from the ${f.bye.by} (${f.bye.sender}) at ${t(f.bye.at)}, ${gap(confirmed, f.bye.at)}the ACK -> ${field}`);
    }
    if (f.calleeCancelledAt !== undefined && f.cancelAt === undefined) {
      lines.push(`${name}: a CANCEL the caller never sent reached ${to} at ${t(f.calleeCancelledAt)}, ${gap(f.calleeFirstProvisionalAt, f.calleeCancelledAt)}its first provisional -> proxy.inviteTimeout`);
    }
    if (f.cancelAt !== undefined && f.callerFinal?.status === 408 && f.calleeFinal?.status !== 408) {
      lines.push(`${name}: ${from} cancelled, ${to} answered ${f.calleeFinal?.status ?? 'nothing'}, yet ${from} got 408 at ${t(f.callerFinal.at)} -> proxy.cancelledInviteStatus: 408`);
    }
    if (f.callerFinal) lines.push(`${name}: ${from} got ${f.callerFinal.status} at ${t(f.callerFinal.at)}${i === facts.length - 1 ? ' -> expect.status and outcome' : ''}`);
  });
  return lines;
}
