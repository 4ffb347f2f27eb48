/**
 * The first difference of a case in the reader's language. The judges write it in English
 * (`summary.json`, JUnit and scripts keep that text); the terminal line and the report under
 * `--lang zh` show it through this table, one entry per sentence form the judges, the step
 * timers and the 408 attribution (timeout-cause.ts) write. A sentence of a form not listed
 * stays in English rather than being half translated.
 */
export function differenceText(text: string, lang: 'en' | 'zh'): string {
  if (lang === 'en') return text;
  return text
    .split('; ')
    .map((part) => translate(part))
    .join('；');
}

type Rule = [RegExp, (...groups: string[]) => string];

const ROLES: Readonly<Record<string, string>> = { caller: '主叫', callee: '被叫' };

function role(name: string): string {
  return ROLES[name] ?? name;
}

/** `408 Request Timeout (INVITE) received` → `收到的 408 Request Timeout (INVITE)`; `INVITE sent` → `发出的 INVITE`. */
function message(text: string): string {
  const match = /^(.*) (sent|received)$/.exec(text);
  if (!match) return text;
  return `${match[2] === 'sent' ? '发出的' : '收到的'} ${match[1]}`;
}

function after(previous: string): string {
  return previous === 'the start' ? '开始' : previous;
}

const RULES: readonly Rule[] = [
  [/^expected (\S+) on the (.+?) leg after (.+?), saw nothing$/, (want, leg, prev) => `${role(leg!)}一侧在 ${after(prev!)} 之后应有 ${want}，却什么也没有`],
  [/^expected (\S+) on the (.+?) leg after (.+?), saw (.+)$/, (want, leg, prev, saw) => `${role(leg!)}一侧在 ${after(prev!)} 之后应有 ${want}，实际是${message(saw!)}`],
  [/^unexpected (.+) on the (.+?) leg after (.+?) \(the expected flow had ended\)$/, (saw, leg, prev) => `${role(leg!)}一侧在 ${after(prev!)} 之后出现意外的${message(saw!)}（预期的流程已经结束）`],
  [/^expected the caller to end with (\d+), saw (.+)$/, (want, saw) => `主叫应以 ${want} 结束，实际是 ${saw === 'no final response' ? '没有最终响应' : saw}`],
  [/^the call (.+) was never placed$/, (name) => `呼叫 ${name} 从未发出`],
  [/^expected media on the (.+?) leg, but no RTP session was set up$/, (leg) => `${role(leg!)}一侧应有媒体，但没有建立 RTP 会话`],
  [/^expected the (.+?) to hear (\d+) Hz, heard no tone \((\d+) RTP packets\)$/, (who, hz, n) => `${role(who!)}应听到 ${hz} Hz，却没有听到音调（${n} 个 RTP 包）`],
  [/^expected the (.+?) to hear (\d+) Hz, heard (\d+) Hz$/, (who, hz, heard) => `${role(who!)}应听到 ${hz} Hz，实际听到 ${heard} Hz`],
  [/^expected the (.+?) to receive DTMF "(.*)", received (.+)$/, (who, digits, got) => `${role(who!)}应收到 DTMF "${digits}"，实际收到 ${got === 'no digits' ? '没有按键' : got}`],
  [/^expected the (.+?) to receive at least (\d+) RTP packets, got (\d+)$/, (who, min, got) => `${role(who!)}应至少收到 ${min} 个 RTP 包，实际 ${got} 个`],
  [/^expected at most (.+) % RTP loss at the (.+?), measured (.+) %$/, (max, who, got) => `${role(who!)}的 RTP 丢包应不超过 ${max} %，实测 ${got} %`],
  [/^expected at most (.+) ms jitter at the (.+?), measured (.+) ms$/, (max, who, got) => `${role(who!)}的抖动应不超过 ${max} 毫秒，实测 ${got} 毫秒`],
  [/^call (.+) did not reach (\w+) within (.+) s$/, (name, state, s) => `呼叫 ${name} 在 ${s} 秒内没有到达 ${state} 状态`],
  [/^calls still active at the end of the case within (.+) s$/, (s) => `用例结束后 ${s} 秒内仍有呼叫未结束`],
  [/^the case did not finish within (.+) s \(its limit, derived from its steps' timings\)$/, (s) => `用例没有在 ${s} 秒内结束（这一时限由其步骤的时长推出）`],
  [/^interrupted$/, () => '已中断'],
  [/^the caller got 408 Request Timeout from the proxy, not from (.+?): the proxy's INVITE timer \(fr_inv_timer\) ran out before .+ answered$/, (callee) => `主叫收到的 408 Request Timeout 来自代理，而不是 ${callee}：代理的 INVITE 定时器（fr_inv_timer）在 ${callee} 应答之前到期`],
  [/^the caller got 408 Request Timeout from the callee (.+?) \(its own no-answer timer\), relayed by the proxy$/, (callee) => `主叫收到的 408 Request Timeout 来自被叫 ${callee}（它自己的无应答定时器），由代理转发`],
  [/^the caller got 408 Request Timeout from the server \(.*\)$/, () => '主叫收到的 408 Request Timeout 来自服务器（被叫不是机器人之一，无法判断是代理的定时器还是被叫放弃了）'],
];

function translate(sentence: string): string {
  for (const [pattern, render] of RULES) {
    const match = pattern.exec(sentence);
    if (match) return render(...match.slice(1));
  }
  return sentence;
}
