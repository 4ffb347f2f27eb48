/**
 * What each lab case shows, in English and Chinese, for the report. Written for a student who
 * has just made the call: what happened, why, and what to look for in the ladder.
 */
import type { LabCaseId } from '../lab/lab-cases.js';

export type Lang = 'en' | 'zh';
export type Localized = Record<Lang, string>;


/** By case id: every lab case, and `no-answer-as-captured` (the seed's own capture). */
export const CASE_EXPLANATIONS: Record<LabCaseId, Localized> & Record<string, Localized | undefined> = {
  'no-answer': {
    en:
      'Nobody picks up, so some timer has to end the ringing. Three parties own one: the caller, the proxy and the callee. Here the ' +
      "caller's own no-answer timer fires first and it sends CANCEL, exactly as RFC 3261 §9 describes: the proxy answers the CANCEL " +
      '200 at once and cancels its branch to the callee, the callee answers that CANCEL 200 and ends the INVITE with 487 Request ' +
      'Terminated, and the 487 travels back to the caller, ACKed hop by hop. Look at who sends the first message after the last 180: ' +
      "that party's timer ended the call. The original lab capture began the same way but the server answered the caller 408 instead " +
      'of 487 (case no-answer-as-captured); the discussion at the end of this report sets the variants side by side.',
    zh:
      '没人接听，总得有一个定时器来结束振铃。主叫、代理和被叫各有一个。本用例中主叫自己的无应答定时器先到期，它发出 CANCEL，' +
      '完全按照 RFC 3261 §9 的描述：代理立即对 CANCEL 回 200，并取消通往被叫的分支；被叫对这个 CANCEL 回 200，' +
      '并以 487 Request Terminated 结束 INVITE；487 传回主叫，逐跳 ACK。看最后一个 180 之后谁先发消息：就是谁的定时器结束了呼叫。' +
      '原实验抓包的开头与此相同，但服务器给主叫回的是 408 而不是 487（见用例 no-answer-as-captured）；报告末尾的讨论把几种变体放在一起对比。',
  },
  'no-answer-as-captured': {
    en:
      "The no-answer flow as the original lab captured it on iptel.org. The caller's timer fires and it sends CANCEL; the server " +
      'answers the CANCEL 200 and cancels the callee, who answers its CANCEL 200 and its INVITE 487. But towards the caller the ' +
      'server ends the INVITE with 408 Request Timeout instead of the 487 that RFC 3261 §9.2 asks for, and the caller ACKs that ' +
      '408. So the caller ended the call, yet its capture shows a 408: the status alone does not tell whose timer fired. The ' +
      'embedded proxy reproduces this server behaviour for this case only.',
    zh:
      '原实验在 iptel.org 上抓到的无应答流程。主叫的定时器到期，发出 CANCEL；服务器对 CANCEL 回 200 并取消被叫，' +
      '被叫对它的 CANCEL 回 200、对 INVITE 回 487。但服务器给主叫结束 INVITE 时回的是 408 Request Timeout，' +
      '而不是 RFC 3261 §9.2 要求的 487，主叫再对这个 408 发 ACK。所以结束呼叫的是主叫，但主叫的抓包里却是 408：' +
      '仅凭状态码看不出是谁的定时器到期。内置代理只在这个用例中重现这种服务器行为。',
  },
  'no-answer-callee-408': {
    en:
      "The textbook no-answer flow: the callee's user agent stops ringing on its own and answers the INVITE with 408 Request " +
      'Timeout. The proxy relays the 408 to the caller. Each hop acknowledges the 408 it received with its own ACK, because an ACK ' +
      'to a failure response belongs to the INVITE transaction of that hop and never travels further.',
    zh:
      '教材里的无应答流程：被叫的用户代理自己停止振铃，对 INVITE 回 408 Request Timeout，代理把 408 转给主叫。' +
      '每一跳都用自己的 ACK 确认它收到的 408，因为对失败响应的 ACK 属于该跳的 INVITE 事务，不会继续往前传。',
  },
  'no-answer-proxy-408': {
    en:
      "The proxy's timer ends the call (its Timer C, or a configured ring timeout). The proxy cancels the branch toward the callee " +
      '(CANCEL, 200 for the CANCEL, 487 for the INVITE, ACK) and answers the caller with 408 Request Timeout, which the caller ' +
      'acknowledges. Seen from the caller this matches the 408 in the original capture.',
    zh:
      '由代理的定时器结束呼叫（Timer C 或配置的振铃超时）。代理取消通往被叫的分支（CANCEL、对 CANCEL 的 200、对 INVITE 的 487、ACK），' +
      '并向主叫回 408 Request Timeout，主叫再发 ACK 确认。从主叫一侧看，这与原实验抓包中的 408 一致。',
  },
  reject: {
    en:
      'The callee declines while ringing and answers 486 Busy Here (603 Decline would also do). The proxy relays the failure to ' +
      'the caller, and each hop ACKs the response it received. In the original lab the server also re-sent the INVITE to the callee ' +
      'over UDP and the callee answered the copy with a second 180: a retransmission, not a new call.',
    zh:
      '被叫在振铃时拒接，回 486 Busy Here（也可以是 603 Decline）。代理把失败响应转给主叫，每一跳都对自己收到的响应发 ACK。' +
      '原实验中服务器还通过 UDP 向被叫重发了一次 INVITE，被叫对这个副本又回了一个 180：这是重传，不是新的呼叫。',
  },
  cancel: {
    en:
      'The caller hangs up while it is still ringing. It sends CANCEL for its pending INVITE; the next hop answers the CANCEL at ' +
      'once with 200 OK and forwards a CANCEL of its own. The INVITE is then finished with 487 Request Terminated, which is ACKed hop ' +
      'by hop. The 487 is re-sent every 500 ms (T1, doubling) until its ACK arrives, as the lab saw on the callee side.',
    zh:
      '主叫在振铃期间挂机。它为尚未完成的 INVITE 发送 CANCEL；下一跳立即对 CANCEL 回 200 OK，并发出自己的 CANCEL。' +
      '随后 INVITE 以 487 Request Terminated 结束，并逐跳用 ACK 确认。在收到 ACK 之前，487 每 500 ms（T1，之后加倍）重发一次，' +
      '原实验在被叫一侧就看到了这种重发。',
  },
  'answer-bye-caller': {
    en:
      'A complete call. After the 407 challenge and the second INVITE, the callee rings (180) and answers with 200 OK carrying its ' +
      'SDP; the caller confirms with ACK, media flows both ways as RTP, and the caller hangs up with BYE, which the callee answers ' +
      'with 200 OK.',
    zh:
      '一次完整的通话。经过 407 认证和第二个 INVITE 后，被叫振铃（180），再用带 SDP 的 200 OK 应答；主叫发 ACK 确认，' +
      '双方互发 RTP 媒体，最后主叫发 BYE 挂机，被叫回 200 OK。',
  },
  'answer-bye-callee': {
    en:
      'The same complete call, but the callee hangs up: the BYE now goes from callee to caller. Either side of a dialog may end it; ' +
      'the BYE follows the route set learnt from Record-Route, so it passes the proxy again.',
    zh:
      '同样是完整的通话，但由被叫挂机：BYE 从被叫发往主叫。对话的任何一方都可以结束它；BYE 按照从 Record-Route 学到的路由集发送，' +
      '所以会再次经过代理。',
  },
  'busy-self': {
    en:
      'The caller calls its own number. The original lab imitated "busy" this way because the softphone asks the user what to do with ' +
      'a second call instead of answering 486 itself. The expected result is 486 Busy Here relayed to the caller and ACKed hop by hop, ' +
      'the textbook "callee busy" flow.',
    zh:
      '主叫拨打自己的号码。原实验用这种方式模拟"忙"，因为软电话遇到第二个来电会询问用户，而不会自己回 486。' +
      '预期结果是 486 Busy Here 被转给主叫并逐跳 ACK，正是教材中的"被叫忙"流程。',
  },
  'busy-in-call': {
    en:
      'The callee is already in a call and answers a second INVITE with 486 Busy Here right away, without ringing. The proxy relays ' +
      'the 486 and the ACKs go hop by hop; the existing call is not disturbed.',
    zh:
      '被叫已在通话中，对第二个 INVITE 直接回 486 Busy Here，不振铃。代理转发 486，ACK 逐跳发送；已有的通话不受影响。',
  },
};
