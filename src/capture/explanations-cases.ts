/**
 * What each lab case shows, in English and Chinese, for the report. Written for a student who
 * has just made the call: what happened, why, and what to look for in the ladder.
 */
import type { LabCaseId } from '../lab/lab-cases.js';

export type Lang = 'en' | 'zh';
export type Localized = Record<Lang, string>;


export const CASE_EXPLANATIONS: Record<LabCaseId, Localized> = {
  'no-answer': {
    en:
      'Nobody picks up, so some timer has to end the ringing. Three parties own one: the caller, the proxy and the callee. ' +
      'Textbooks usually draw the callee giving up with 408 Request Timeout; the original lab capture showed something else: the ' +
      "caller's own no-answer timer fired first, it sent CANCEL, the server answered it with 408 and the callee answered the " +
      'CANCEL with 200 and the INVITE with 487. In this case the caller ends the call, as in the capture; the two cases below ' +
      "replay the other two timers. Look at who sends the first message after the last 180: that party's timer ended the call.",
    zh:
      '没人接听，总得有一个定时器来结束振铃。主叫、代理和被叫各有一个。教材通常画成被叫放弃并回 408 Request Timeout；' +
      '而原实验抓包看到的是另一回事：主叫自己的无应答定时器先到期，主叫发出 CANCEL，服务器给主叫回 408，被叫对 CANCEL 回 200、' +
      '对 INVITE 回 487。本用例由主叫结束呼叫，与抓包一致；下面两个用例分别重现另外两个定时器。看最后一个 180 之后谁先发消息：' +
      '就是谁的定时器结束了呼叫。',
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

/** Who ended a no-answer call, for the `endedBy` field of a case result. */
export const ENDED_BY: Record<string, Localized> = {
  caller: {
    en: "The caller's timer ended the ringing (it sent CANCEL), as in the original capture.",
    zh: '由主叫的定时器结束振铃（主叫发出 CANCEL），与原实验抓包一致。',
  },
  proxy: {
    en: "The proxy's timer ended the ringing (it cancelled the callee and sent 408 to the caller).",
    zh: '由代理的定时器结束振铃（代理取消被叫分支并向主叫发 408）。',
  },
  callee: {
    en: "The callee's timer ended the ringing (it answered 408 Request Timeout), as in the textbook.",
    zh: '由被叫的定时器结束振铃（被叫回 408 Request Timeout），与教材一致。',
  },
};
