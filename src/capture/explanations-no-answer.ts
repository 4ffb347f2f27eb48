import type { Localized } from './explanations-cases.js';

/** One way an unanswered call can end, as the closing discussion of the report compares them. */
export interface NoAnswerVariant {
  caseId: string;
  whose: Localized;
  /** Where the flow comes from: the lecture, the original capture, RFC 3261. */
  source: Localized;
  caller: string;
  callee: string;
}

export const NO_ANSWER_VARIANTS: readonly NoAnswerVariant[] = [
  {
    caseId: 'no-answer-callee-408',
    whose: { en: "callee's timer", zh: '被叫的定时器' },
    source: { en: 'the lecture (textbook)', zh: '课堂讲授（教材）' },
    caller: '<180, <408, ACK>',
    callee: '180>, 408>, <ACK',
  },
  {
    caseId: 'no-answer',
    whose: { en: "caller's timer", zh: '主叫的定时器' },
    source: { en: 'RFC 3261 §9 (what a standard server does)', zh: 'RFC 3261 §9（标准服务器的做法）' },
    caller: '<180, CANCEL>, <200/CANCEL, <487, ACK>',
    callee: '180>, <CANCEL, 200/CANCEL>, 487>, <ACK',
  },
  {
    caseId: 'no-answer-as-captured',
    whose: { en: "caller's timer", zh: '主叫的定时器' },
    source: { en: 'the original capture (iptel.org)', zh: '原实验抓包（iptel.org）' },
    caller: '<180, CANCEL>, <200/CANCEL, <408, ACK>',
    callee: '180>, <CANCEL, 200/CANCEL>, 487>, <ACK',
  },
  {
    caseId: 'no-answer-proxy-408',
    whose: { en: "proxy's timer", zh: '代理的定时器' },
    source: { en: "a proxy's INVITE timer (Kamailio fr_inv_timer)", zh: '代理的 INVITE 定时器（Kamailio 的 fr_inv_timer）' },
    caller: '<180, <408, ACK>',
    callee: '180>, <CANCEL, 200/CANCEL>, 487>, <ACK',
  },
];

export const NO_ANSWER_DISCUSSION: Localized = {
  en:
    'The lecture draws the callee giving up with 408 Request Timeout. The original capture showed something else: the caller\'s ' +
    'softphone gave up first and sent CANCEL, the server still answered it 408, and only the callee\'s leg showed the 487 a ' +
    'CANCEL normally produces. Three timers race when nobody answers: the caller\'s, the proxy\'s and the callee\'s, and the one ' +
    'that fires first decides the flow. The first message after the last 180 names the winner: CANCEL from the caller, 408 from ' +
    'the callee, or a 408 (with a CANCEL on the callee\'s hop) that the proxy sent itself. The final status alone can mislead: in ' +
    'the captured flow the caller ended the call and still received 408. The table sets each variant against this run\'s legs.',
  zh:
    '课堂讲授画的是被叫放弃并回 408 Request Timeout。原实验抓包看到的却不同：主叫的软电话先放弃并发出 CANCEL，服务器仍然回了 408，' +
    '只有被叫一侧出现了 CANCEL 通常带来的 487。无人接听时有三个定时器在赛跑：主叫的、代理的和被叫的，谁先到期谁就决定流程。' +
    '最后一个 180 之后的第一条消息说明了谁赢：主叫的 CANCEL、被叫的 408，或者代理自己发出的 408（同时在被叫那一跳上有 CANCEL）。' +
    '只看最终状态码会被误导：在抓包的流程中是主叫结束了呼叫，它却收到了 408。下表把每种变体与本次运行的各条腿对照。',
};
