import type { CallEnding } from '../scenario/call-ending.js';
import type { CaseOutcome } from '../scenario/result-types.js';
import type { Lang, Localized } from './explanations-cases.js';

/** How a call ended: a short label for tables and the terminal, and a sentence for the report. */
export interface EndingText {
  label: Localized;
  /** `{status}` stands for the final status the caller saw (e.g. `486`). */
  text: Localized;
}

export const ENDINGS: Record<CallEnding, EndingText> = {
  'caller-bye': {
    label: { en: 'caller (BYE)', zh: '主叫（BYE）' },
    text: {
      en: 'The caller hung up the answered call: it sent BYE, which followed the route set through the proxy, and the callee answered 200 OK.',
      zh: '主叫挂断了已接通的通话：它发出 BYE，BYE 沿路由集经过代理到达被叫，被叫回 200 OK。',
    },
  },
  'callee-bye': {
    label: { en: 'callee (BYE)', zh: '被叫（BYE）' },
    text: {
      en: 'The callee hung up the answered call: the BYE went from callee to caller (either side of a dialog may end it) and the caller answered 200 OK.',
      zh: '被叫挂断了已接通的通话：BYE 从被叫发往主叫（对话的任何一方都可以结束它），主叫回 200 OK。',
    },
  },
  'callee-rejected': {
    label: { en: 'callee (rejected)', zh: '被叫（拒接）' },
    text: {
      en: 'The callee rejected the call: its phone rang (180), then it answered the INVITE with the final response {status}. The caller ACKed it; no dialog was ever established, so there is no BYE.',
      zh: '被叫拒接了呼叫：电话先振铃（180），然后对 INVITE 回最终响应 {status}。主叫发 ACK 确认；对话从未建立，所以没有 BYE。',
    },
  },
  'callee-busy': {
    label: { en: 'callee (busy)', zh: '被叫（忙）' },
    text: {
      en: 'The callee was busy: it answered the INVITE with {status} at once, without ringing (a busy phone does not ring). The caller ACKed it.',
      zh: '被叫正忙：它不振铃，直接对 INVITE 回 {status}（忙的电话不会振铃）。主叫发 ACK 确认。',
    },
  },
  'caller-cancel': {
    label: { en: 'caller (CANCEL)', zh: '主叫（CANCEL）' },
    text: {
      en: 'The caller ended the ringing: it sent CANCEL (its user hung up, or its own no-answer timer fired). The INVITE then ended with {status} on the caller\'s side.',
      zh: '主叫结束了振铃：它发出 CANCEL（用户挂机，或主叫自己的无应答定时器到期）。随后主叫一侧的 INVITE 以 {status} 结束。',
    },
  },
  'callee-timer': {
    label: { en: 'callee (timer, 408)', zh: '被叫（定时器，408）' },
    text: {
      en: "The callee's own timer ended the ringing: its agent answered the INVITE with 408 Request Timeout, and the proxy relayed that 408 to the caller. This is the textbook flow.",
      zh: '被叫自己的定时器结束了振铃：被叫的用户代理对 INVITE 回 408 Request Timeout，代理把这个 408 转给主叫。这是教材里的流程。',
    },
  },
  'proxy-timer': {
    label: { en: 'proxy (timer, 408)', zh: '代理（定时器，408）' },
    text: {
      en: "The proxy's INVITE timer ended the ringing (RFC 3261 §16.8 timer C, Kamailio's fr_inv_timer): the proxy cancelled the callee's branch (CANCEL, 487) and sent the 408 Request Timeout to the caller itself. The callee never sent a 408.",
      zh: '代理的 INVITE 定时器结束了振铃（RFC 3261 §16.8 的 Timer C，即 Kamailio 的 fr_inv_timer）：代理取消了通往被叫的分支（CANCEL、487），并自己向主叫发送 408 Request Timeout。被叫从未发过 408。',
    },
  },
};

export const OUTCOMES: Record<CaseOutcome, Localized> = {
  answered: { en: 'answered', zh: '已接听' },
  rejected: { en: 'rejected', zh: '被拒绝' },
  cancelled: { en: 'cancelled', zh: '已取消' },
  timeout: { en: 'timeout', zh: '超时' },
  failed: { en: 'failed', zh: '失败' },
};

/** Role names of the lab scenarios; a scenario's own role names are shown as written. */
const ROLES: Record<string, Localized> = {
  caller: { en: 'caller', zh: '主叫' },
  callee: { en: 'callee', zh: '被叫' },
  other: { en: 'other caller', zh: '另一主叫' },
};

export function endingLabel(ending: CallEnding | undefined, lang: Lang): string {
  return ending === undefined ? '' : ENDINGS[ending].label[lang];
}

export function explainEnding(ending: CallEnding | undefined, finalStatus: number | undefined, lang: Lang): string | undefined {
  return ending === undefined ? undefined : ENDINGS[ending].text[lang].replace('{status}', finalStatus === undefined ? '?' : String(finalStatus));
}

export function outcomeLabel(outcome: CaseOutcome | undefined, lang: Lang): string {
  return outcome === undefined ? '' : OUTCOMES[outcome][lang];
}

/** `caller (alice)` / `主叫（alice）`. */
export function roleWithParty(role: string, party: string, lang: Lang): string {
  const name = ROLES[role]?.[lang] ?? role;
  return lang === 'zh' ? `${name}（${party}）` : `${name} (${party})`;
}
