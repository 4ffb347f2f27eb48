import type { Lang } from './explanations-cases.js';
import { headerValues, viaCount, type StepKind } from './explanations.js';
import type { LadderArrow } from './ladder-model.js';

/** Who plays which part in the case, so a step can say "bob never sees it". */
export interface HopContext {
  caseId: string;
  caller?: string;
  callee?: string;
  lang: Lang;
}

/**
 * What this message says at this hop, beyond what its kind always means: what the proxy
 * changed in the INVITE it forwarded, whose timer a 408 is, why the callee never sees the
 * first INVITE. Read off the message and the arrows before it; undefined when nothing to add.
 */
export function explainHop(arrow: LadderArrow, kind: StepKind, earlier: readonly LadderArrow[], context: HopContext): string | undefined {
  const zh = context.lang === 'zh';
  const sameCall = earlier.filter((a) => a.callId === arrow.callId);
  switch (kind) {
    case 'invite-forwarded':
      return forwardedInvite(arrow, sameCall, zh);
    case 'challenge-407':
      if (context.callee === undefined || context.callee === context.caller) {
        return zh ? '代理自己回答了第一个 INVITE，没有转发它。' : 'The proxy answers this first INVITE itself and never forwards it.';
      }
      return zh
        ? `代理自己回答了第一个 INVITE，没有转发它，所以 ${context.callee} 从来看不到它：${context.callee} 一侧从第二个 INVITE 开始。`
        : `The proxy answers this first INVITE itself and never forwards it, so ${context.callee} never sees it: ${context.callee}'s side starts with the second INVITE.`;
    case 'timeout-408':
      return whose408(arrow, sameCall, context, zh);
    case 'ok-cancel':
      if (arrow.from !== 'proxy') return undefined;
      return zh
        ? '代理立即自己回答 CANCEL（CANCEL 是逐跳的，RFC 3261 §16.10），然后向被叫发出它自己的 CANCEL。'
        : 'The proxy answers the CANCEL itself at once (CANCEL is hop by hop, RFC 3261 §16.10), then sends a CANCEL of its own towards the callee.';
    case 'cancel':
      if (arrow.from !== 'proxy') return undefined;
      if (sameCall.some((a) => a.method === 'CANCEL' && a.to === 'proxy')) {
        return zh ? '这是代理自己的 CANCEL，针对它转发出去的那个分支。' : "This is the proxy's own CANCEL, for the branch it forwarded.";
      }
      return zh
        ? '主叫没有发过 CANCEL：是代理的 INVITE 定时器到期，代理取消了通往被叫的分支。'
        : "The caller sent no CANCEL: the proxy's INVITE timer fired and the proxy cancels its branch towards the callee.";
    case 'ack-non2xx':
      if (arrow.from !== 'proxy') return undefined;
      return zh ? '这是代理自己的 ACK，确认它从被叫收到的失败响应；主叫的 ACK 止步于代理。' : "This is the proxy's own ACK for the failure it received from the callee; the caller's ACK stopped at the proxy.";
    default:
      return relayedResponse(arrow, sameCall, zh);
  }
}

/** Via, Record-Route, Max-Forwards and the credentials: the INVITE as received against as forwarded. */
function forwardedInvite(arrow: LadderArrow, sameCall: readonly LadderArrow[], zh: boolean): string | undefined {
  const received = [...sameCall].reverse().find((a) => a.method === 'INVITE' && a.to === arrow.from && viaCount(a.raw) < viaCount(arrow.raw));
  const topVia = headerValues(arrow.raw, 'via', 'v')[0]?.split(',')[0]?.trim();
  const recordRoute = headerValues(arrow.raw, 'record-route')[0];
  const before = received ? headerValues(received.raw, 'max-forwards')[0] : undefined;
  const after = headerValues(arrow.raw, 'max-forwards')[0];
  const removedAuth = received !== undefined && headerValues(received.raw, 'proxy-authorization').length > 0 && headerValues(arrow.raw, 'proxy-authorization').length === 0;
  const parts: string[] = [];
  if (topVia) parts.push(zh ? `在最上面加了自己的 Via（${topVia}），响应因此会经它返回` : `added its own Via on top (${topVia}), so the responses come back through it`);
  if (recordRoute) parts.push(zh ? `加了 Record-Route ${recordRoute}，这个对话的 ACK 和 BYE 因此也经过它` : `added Record-Route ${recordRoute}, so the ACK and BYE of this dialog pass it too`);
  if (before !== undefined && after !== undefined) parts.push(zh ? `把 Max-Forwards 从 ${before} 减到 ${after}` : `decreased Max-Forwards from ${before} to ${after}`);
  if (removedAuth) parts.push(zh ? '去掉了它已核对过的 Proxy-Authorization（凭据只给这个代理看）' : 'removed the Proxy-Authorization it had checked (the credentials were for this proxy only)');
  if (parts.length === 0) return undefined;
  return zh ? `与收到的 INVITE 相比，代理${parts.join('；')}。` : `Compared with the INVITE it received, the proxy ${parts.join('; ')}.`;
}

/** A 408 is a timer's verdict; the ladder says whose. */
function whose408(arrow: LadderArrow, sameCall: readonly LadderArrow[], context: HopContext, zh: boolean): string {
  const from = arrow.from;
  if (from !== 'proxy') {
    return zh
      ? `${from} 发出了这个 408：它自己的用户代理振铃超时后放弃，这是教材里的被叫超时。`
      : `${from} sent this 408: its own user agent gave up ringing after its timer ran out, the textbook callee timeout.`;
  }
  if (sameCall.some((a) => a.status === 408 && a.to === 'proxy')) {
    return zh ? '代理只是把被叫的 408 转给主叫（并先对被叫回了 ACK）。' : "The proxy relays the callee's 408 to the caller (having ACKed it on the callee's hop).";
  }
  if (sameCall.some((a) => a.method === 'CANCEL' && a.from === arrow.to)) {
    return zh
      ? `代理在 ${arrow.to} 发出 CANCEL 之后自己发出了这个 408：没有哪个服务器定时器到期，结束呼叫的是 ${arrow.to} 的 CANCEL。RFC 3261 §9.2 要求对被取消的 INVITE 回 487；iptel.org 在原实验抓包中回的是 408，本用例重现了这一点。`
      : `The proxy sent this 408 itself, after ${arrow.to}'s CANCEL: no server timer fired, ${arrow.to}'s CANCEL ended the call. RFC 3261 §9.2 asks for 487 to a cancelled INVITE; iptel.org answered 408 in the original capture, and this case replays that.`;
  }
  return zh
    ? '代理自己发出了这个 408：它的 INVITE 定时器（RFC 3261 §16.8 的 Timer C，Kamailio 的 fr_inv_timer）在没有最终响应时到期。被叫没有发过 408。'
    : "The proxy sent this 408 itself: its INVITE timer (RFC 3261 §16.8 timer C, Kamailio's fr_inv_timer) ran out with no final response. The callee never sent a 408.";
}

/** A response the proxy passes on (the same status came in from the callee's side first). */
function relayedResponse(arrow: LadderArrow, sameCall: readonly LadderArrow[], zh: boolean): string | undefined {
  if (arrow.status === undefined || arrow.from !== 'proxy' || arrow.status === 100) return undefined;
  const cameIn = sameCall.some((a) => a.status === arrow.status && a.cseqMethod === arrow.cseqMethod && a.to === 'proxy' && a.from !== arrow.to);
  if (!cameIn) return undefined;
  return zh ? '由代理转发：它去掉了自己那一行 Via，按下一行 Via 把响应送回。' : 'Relayed by the proxy: it removed its own Via line and sent the response on to the next Via.';
}
