/**
 * The first difference of a case in the reader's language. The judges write it in English
 * (`summary.json`, JUnit and scripts keep that text); the terminal line and the report under
 * `--lang zh` show it through this table, one entry per sentence form the judges, the step
 * timers and the 408 attribution (timeout-cause.ts) write; a failed step is its subject
 * (SUBJECTS) and how it failed (STEP_ENDINGS). A sentence of a form not listed stays in English
 * rather than being half translated.
 */
export function differenceText(text: string, lang: 'en' | 'zh'): string {
  if (lang === 'en') return text;
  return text
    .split(/; (?![^(]*\))/) // a judge joins sentences with "; ", and writes none inside parentheses
    .map((part) => translate(part))
    .join('；');
}

type Rule = [RegExp, (...groups: string[]) => string];

const ROLES: Readonly<Record<string, string>> = { caller: '主叫', callee: '被叫' };

/** `caller`, or the label of an expected call's leg: `callee (expected call incoming)`. */
function role(name: string): string {
  const expected = /^(\S+) \(expected call (.+)\)$/.exec(name);
  if (expected) return `${ROLES[expected[1]!] ?? expected[1]}（预期呼叫 ${expected[2]}）`;
  return ROLES[name] ?? name;
}

/** `no final response` or a status line's reason kept as on the wire. */
function final(text: string): string {
  return text === 'no final response' ? '没有最终响应' : text;
}

function alternatives(text: string): string {
  return text.split(' or ').join(' 或 ');
}

const STATES: Readonly<Record<string, string>> = { answered: '已接听', rejected: '被拒绝', cancelled: '已取消', timeout: '超时', failed: '失败' };

/**
 * The step a failed step names (request-steps.ts, subscribe-step.ts, offer-step.ts, await-step.ts):
 * `message from caller (alice) to callee` → `caller（alice）发往 callee 的 message`.
 */
const SUBJECTS: readonly Rule[] = [
  [/^(\w+) from (\S+) \((\S+)\) to (\S+)$/, (kind, from, bot, to) => `${role(from!)}（${bot}）发往 ${role(to!)} 的 ${kind}`],
  [/^info (\S+) by (\S+) \((\S+)\)$/, (digits, who, bot) => `${role(who!)}（${bot}）发送的 info ${digits}`],
  [/^(register|unregister) of (\S+) \((\S+)\)( with the given password)?$/, (kind, who, bot, password) => `${role(who!)}（${bot}）的 ${kind}${password ? '（使用给定的密码）' : ''}`],
  [/^subscribe (\S+) by (\S+) \((\S+)\) to (\S+)$/, (event, who, bot, to) => `${role(who!)}（${bot}）向 ${role(to!)} 的 subscribe ${event}`],
  [/^(reinvite|update) by (\S+) \((\S+)\)(?: offering (\S+))?$/, (kind, who, bot, offered) => `${role(who!)}（${bot}）的 ${kind}${offered ? `（提供 ${offered}）` : ''}`],
  [/^await: call (\S+) did not reach (\w+) within (.+) s$/, (name, state, s) => `await：呼叫 ${name} 在 ${s} 秒内没有到达 ${state} 状态`],
  [/^attended transfer by (\S+) \((\S+)\)(?: of (\S+))? to the far end of (\S+)$/, (who, bot, call, consult) => `${role(who!)}（${bot}）${call ? `把 ${call} ` : ''}转接到 ${consult} 的对端（咨询转接）`],
  [/^transfer by (\S+) \((\S+)\) to (\S+)$/, (who, bot, to) => `${role(who!)}（${bot}）向 ${role(to!)} 的转接`],
  [/^(dtmf \S+|hold|unhold)(?: by (\S+) \((\S+)\))?$/, (action, who, bot) => (who ? `${role(who!)}（${bot}）的 ${action}` : action!)],
];

/** How a failed step ends, after its subject and ": ". */
const STEP_ENDINGS: readonly Rule[] = [
  [/^expected (.+?), got (\d{3}) (.*)$/, (want, status, reason) => `应为 ${alternatives(want!)}，实际是 ${status} ${reason}`],
  [/^no connected call( to transfer)?$/, () => '没有已接通的呼叫'],
  [/^(\S+) \((\S+)\) received no matching call$/, (who, bot) => `${role(who!)}（${bot}）没有收到相符的呼叫`],
  [/^(\S+) \((\S+)\) has no connected call$/, (who, bot) => `${role(who!)}（${bot}）没有已接通的呼叫`],
  [/^no call step named (\S+) has run before this step$/, (name) => `这一步之前没有运行过名为 ${name} 的呼叫步骤`],
  [/^(\S+) has no leg of it$/, (who) => `${role(who!)}不在这个呼叫中`],
  [/^the (\d{3}) carries no SDP answer \(RFC 3264 §4\)$/, (status) => `${status} 没有携带 SDP 应答（RFC 3264 §4）`],
  [/^the answer does not take (\S+) \(it lists (.*)\)$/, (codec, formats) => `应答不接受 ${codec}（它列出 ${formats}）`],
  [/^the answer says (a=\w+), which RFC 3264 §6\.1 does not allow in answer to (a=\w+) \((.*)\)$/, (said, offered, allowed) => `应答是 ${said}，RFC 3264 §6.1 不允许用它回答 ${offered}（可用 ${alternatives(allowed!)}）`],
  [/^expected the answer to choose (\S+), it chose (.+)$/, (want, got) => `应答应选 ${want}，实际选了 ${got.replace(/^none of the offered \((.*)\)$/, '提供的都没选（$1）')}`],
  [/^expected the answer to say (a=\w+), it says (a=\w+)$/, (want, got) => `应答应为 ${want}，实际是 ${got}`],
  [/^(\S+) received no MESSAGE, not (".*")$/, (who, body) => `${who} 没有收到 MESSAGE，应收到 ${body}`],
  [/^(\S+) received only (.+), not (".*")$/, (who, got, body) => `${who} 只收到 ${got}，应收到 ${body}`],
  [/^the NOTIFY body does not match (\/.*\/): (.*)$/s, (pattern, body) => `NOTIFY 消息体不匹配 ${pattern}：${body}`],
  [/^the unsubscribe \(Expires: 0\) was answered (\d{3}) (.*)$/, (status, reason) => `退订（Expires: 0）得到的应答是 ${status} ${reason}`],
  [/^no final response to the SUBSCRIBE within (.+) s$/, (s) => `${s} 秒内 SUBSCRIBE 没有最终响应`],
  [/^no NOTIFY after the SUBSCRIBE was accepted within (.+) s$/, (s) => `SUBSCRIBE 被接受后 ${s} 秒内没有 NOTIFY`],
  [/^no answer and terminated NOTIFY to the unsubscribe \(Expires: 0\) within (.+) s$/, (s) => `${s} 秒内退订（Expires: 0）既没有应答也没有 terminated NOTIFY`],
  [/^no final NOTIFY \(message\/sipfrag\)(?: within (.+) s)?$/, (s) => `${s === undefined ? '' : `${s} 秒内`}没有最终的 NOTIFY（message/sipfrag）`],
  [/^(\S+) is (\w+), not connected \(the consultation call must be answered first\)$/, (call, state) => `${call} 处于 ${state}，没有接通（咨询呼叫须先被接听）`],
  [/^the REFER was answered (\d{3}) (.*)$/, (status, reason) => `REFER 得到的应答是 ${status} ${reason}`],
  [/^(\S+) ended from this side, not by the far end's BYE after the replacing INVITE$/, (call) => `${call} 是由本端结束的，而不是在替换 INVITE 之后由对端的 BYE 结束`],
  [/^(\S+) was not ended by its far end after the transfer \(no BYE\)(?: within (.+) s)?$/, (call, s) => `转接之后${s === undefined ? '' : ` ${s} 秒内`} ${call} 没有被对端结束（没有 BYE）`],
];

function subject(text: string): string {
  return apply(SUBJECTS, text) ?? text;
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
  [/^expected the (.+?) to hear (\d+) Hz before the answer, but the call was never answered \(no 200\)$/, (who, hz) => `${role(who!)}应在应答前听到 ${hz} Hz，但呼叫从未被应答（没有 200）`],
  [/^expected the (.+?) to hear (\d+) Hz before the answer, heard nothing before the 200 \((\d+) RTP packets; no early media\)$/, (who, hz, n) => `${role(who!)}应在应答前听到 ${hz} Hz，但 200 之前什么也没听到（${n} 个 RTP 包；没有早期媒体）`],
  [/^expected the (.+?) to hear (\d+) Hz before the answer, heard no tone before the 200 \((\d+) RTP packets\)$/, (who, hz, n) => `${role(who!)}应在应答前听到 ${hz} Hz，但 200 之前没有听到音调（${n} 个 RTP 包）`],
  [/^expected the (.+?) to hear (\d+) Hz before the answer, heard (\d+) Hz before the 200$/, (who, hz, heard) => `${role(who!)}应在应答前听到 ${hz} Hz，200 之前实际听到 ${heard} Hz`],
  [/^nothing to judge: .*$/, () => '没有可判定的内容：没有呼叫步骤、预期呼叫（expect.calls）、请求步骤，也没有 expect.headers'],
  [/^expected call (.+?): (\S+) \((\S+)\) received no call from (.+) within (.+) s$/, (name, who, bot, from, s) => `预期呼叫 ${name}：${role(who!)}（${bot}）在 ${s} 秒内没有收到${from === 'anyone' ? '任何人' : ` ${from} `}的呼叫`],
  [/^expected call (.+?) arrived after (.+) s, later than within (.+) s$/, (name, after, within) => `预期呼叫 ${name} 在 ${after} 秒后才到达，晚于 ${within} 秒的时限`],
  [/^expected call (.+?): expected (\S+) to end it with (\d+), it ended with (.+)$/, (name, who, want, got) => `预期呼叫 ${name}：${role(who!)}应以 ${want} 结束，实际以 ${final(got!)} 结束`],
  [/^expected call (.+?): expected it (\S+), it was (\S+) \((.+)\)$/, (name, want, got, reason) => `预期呼叫 ${name}：应为${STATES[want!] ?? want}，实际是${STATES[got!] ?? got}（${final(reason!)}）`],
  [/^expect\.headers: (\S+) \((\S+)\) (\S+) (\S+): \S+ received no \S+ in this case$/, (who, bot, message, header) => `expect.headers：${role(who!)}（${bot}）${message} ${header}：本用例中 ${bot} 没有收到 ${message}`],
  [/^expect\.headers: (\S+) \((\S+)\) (\S+) (\S+): expected (.+?), it is (absent|.+)$/s, (who, bot, message, header, want, seen) =>
    `expect.headers：${role(who!)}（${bot}）${message} ${header}：应为${headerWant(want!)}，实际${seen === 'absent' ? '不存在' : `是 ${seen}`}`],
  [/^(await: call .+ s) \(it is (\w+)(?:, (.+))?\)$/, (what, state, reason) => `${subject(what!)}（当前是 ${state}${reason ? `，${reason}` : ''}）`],
  [/^(.+?) (did not complete|got no final response) within (.+) s$/, (what, how, s) => {
    const known = apply(SUBJECTS, what!);
    return known === undefined ? `${what} ${how} within ${s} s` : `${known} 在 ${s} 秒内${how === 'did not complete' ? '没有完成' : '没有最终响应'}`;
  }],
  [/^role (\S+) names bot (\S+), which is not in the bots file$/, (name, bot) => `角色 ${name} 指定的机器人 ${bot} 不在机器人文件中`],
  [/^the caller got 408 Request Timeout from the proxy, not from (.+?): the proxy's INVITE timer \(fr_inv_timer\) ran out before .+ answered$/, (callee) => `主叫收到的 408 Request Timeout 来自代理，而不是 ${callee}：代理的 INVITE 定时器（fr_inv_timer）在 ${callee} 应答之前到期`],
  [/^the caller got 408 Request Timeout from the callee (.+?) \(its own no-answer timer\), relayed by the proxy$/, (callee) => `主叫收到的 408 Request Timeout 来自被叫 ${callee}（它自己的无应答定时器），由代理转发`],
  [/^the caller got 408 Request Timeout from the server \(.*\)$/, () => '主叫收到的 408 Request Timeout 来自服务器（被叫不是机器人之一，无法判断是代理的定时器还是被叫放弃了）'],
];

function headerWant(want: string): string {
  if (want === 'present') return '存在';
  if (want === 'absent') return '不存在';
  const pattern = /^to match (\/.*\/)$/.exec(want);
  return pattern ? `匹配 ${pattern[1]}` : ` ${want}`;
}

function apply(rules: readonly Rule[], sentence: string): string | undefined {
  for (const [pattern, render] of rules) {
    const match = pattern.exec(sentence);
    if (match) return render(...match.slice(1));
  }
  return undefined;
}

/** What a bot accepted though a peer bent a rule (`finding` events: bot.ts, lenient-provisional.ts), said whole. */
const FINDINGS: readonly Rule[] = [
  [/^(\d{3}) without a To tag \(RFC 3261 §12\.1: no early dialog\); taken as progress$/, (status) => `${status} 没有 To tag（RFC 3261 §12.1：不建立早期对话）；当作进展处理`],
  [/^(\d{3}) without a Contact \(RFC 3261 §12\.1\.1 requires one\); taken as ringing$/, (status) => `${status} 没有 Contact（RFC 3261 §12.1.1 要求有）；当作振铃处理`],
  [/^(.+) came after the call had ended with (.+) \(the callee answered as the INVITE ended\): ACKed and hung up with BYE \(RFC 3261 §13\.2\.2\.4\)$/, (answer, after) =>
    `${answer} 在呼叫以 ${after} 结束之后才到达（被叫在 INVITE 结束的同时应答）：已回 ACK 并用 BYE 挂断（RFC 3261 §13.2.2.4）`],
];

export function findingText(text: string, lang: 'en' | 'zh'): string {
  return lang === 'en' ? text : (apply(FINDINGS, text) ?? text);
}

function translate(sentence: string): string {
  return apply(RULES, sentence) ?? stepFailure(sentence) ?? sentence;
}

/** `<subject>: <ending>`, a failed step: said in Chinese only when both parts are of a known form. */
function stepFailure(sentence: string): string | undefined {
  for (let at = sentence.indexOf(': '); at > 0; at = sentence.indexOf(': ', at + 2)) {
    const what = apply(SUBJECTS, sentence.slice(0, at));
    const ending = what === undefined ? undefined : apply(STEP_ENDINGS, sentence.slice(at + 2));
    if (what !== undefined && ending !== undefined) return `${what}：${ending}`;
  }
  return undefined;
}
