import type { InputFileError } from '../util/input-file.js';

/** A problem's words in one language: what is wrong, and how to fix it. */
export interface Words {
  message: string;
  hint?: string;
}

/**
 * A problem in every language the CLI speaks: English (the ConfigError's message, `--lang en`)
 * and Chinese (`--lang zh`). Built only by the functions below, so each problem's two texts are
 * written side by side, once; file names, paths, keys and values stay as written in both.
 */
export interface ProblemText extends Words {
  zh: Words;
}

/** A noun phrase saying what a field holds, in both languages (`a SIP domain`, `SIP 域名`). */
export interface FieldMeaning {
  en: string;
  zh: string;
}

function both(en: Words, zh: Words): ProblemText {
  return { ...en, zh };
}

const list = (names: readonly string[], none: string): string => names.join(', ') || none;
const quoted = (value: unknown): string => JSON.stringify(value) ?? String(value);

const NAME_HINT: FieldMeaning = { en: 'start with a letter; use letters, digits, - and _', zh: '以字母开头；只用字母、数字、- 和 _' };
const DURATION_HINT: FieldMeaning = { en: 'write e.g. 500ms, 1.5s, 2m, or a plain number of seconds', zh: '写成 500ms、1.5s、2m 这样，或直接写秒数' };
const FLOW_HINT: FieldMeaning = {
  en: 'write INVITE> for sent, <180 for received, <2xx for a class, <200/CANCEL to qualify by CSeq method, a trailing ? for optional',
  zh: '发出写 INVITE>，收到写 <180，一类响应写 <2xx，按 CSeq 方法限定写 <200/CANCEL，末尾加 ? 表示可有可无',
};
const STEP_HINT: FieldMeaning = {
  en: 'write each action as its own list item: - call: {...}, - wait: 1s, - await: { call: incoming, state: confirmed }, - message: { from: caller, to: callee, body: hi }, - hold: caller, - hangup: caller',
  zh: '每个动作写成单独的列表项：- call: {...}、- wait: 1s、- await: { call: incoming, state: confirmed }、- message: { from: caller, to: callee, body: hi }、- hold: caller、- hangup: caller',
};

/** Problems of reading and parsing a file, before any schema. */
export const fileProblem = {
  unreadable: (reason: FieldMeaning) => both({ message: reason.en, hint: 'check the path, relative to the working directory' }, { message: reason.zh, hint: '检查路径（相对于当前工作目录）' }),
  notUtf8: (byte: number) => {
    const hex = `0x${byte.toString(16).padStart(2, '0')}`;
    return both({ message: `byte ${hex} is not UTF-8 text`, hint: 'save the file as UTF-8' }, { message: `字节 ${hex} 不是 UTF-8 文本`, hint: '把文件另存为 UTF-8 编码' });
  },
  aliasBomb: (detail: string) => both({ message: detail, hint: 'avoid deeply nested YAML aliases (*name)' }, { message: 'YAML 别名展开过多，疑似资源耗尽攻击', hint: '避免层层嵌套的 YAML 别名（*name）' }),
  dotEnv: (detail: string, code: string | undefined) => both({ message: `cannot load: ${detail}` }, { message: `无法加载${code === undefined ? '' : `（${code}）`}` }),
  noScenarioFiles: () =>
    both({ message: 'no scenario files (*.yaml) in this directory', hint: 'give scenario files or a directory that holds some' }, { message: '此目录中没有场景文件（*.yaml）', hint: '给出场景文件，或包含场景文件的目录' }),
};

/** Problems zod finds, in our words where its own would confuse someone editing YAML. */
export const schemaProblem = {
  missing: () => both({ message: 'required field is missing' }, { message: '缺少必填字段' }),
  unknownKey: (key: string) => both({ message: `unknown key "${key}"`, hint: 'check the spelling; keys are case-sensitive' }, { message: `未知的键 "${key}"`, hint: '检查拼写；键区分大小写' }),
  emptyFile: () => both({ message: 'the file is empty' }, { message: '文件是空的' }),
  invalidValue: (value: unknown, allowed: readonly unknown[]) => {
    const values = allowed.map(String).join(', ');
    return both({ message: `invalid value ${quoted(value)}`, hint: `use one of: ${values}` }, { message: `无效的值 ${quoted(value)}`, hint: `可选：${values}` });
  },
  wholeNumber: (min: number, max: number, input: unknown, what: FieldMeaning) =>
    both({ message: `expected a whole number from ${min} to ${max}, got ${quoted(input)}`, hint: what.en }, { message: `应为 ${min} 到 ${max} 之间的整数，实际是 ${quoted(input)}`, hint: what.zh }),
  trueOrFalse: () => both({ message: 'expected true or false' }, { message: '应为 true 或 false' }),
  expected: (what: FieldMeaning) => both({ message: `expected ${what.en}` }, { message: `应为${what.zh}` }),
  empty: (what: FieldMeaning) => both({ message: `${what.en} must not be empty` }, { message: `${what.zh}不能为空` }),
  duration: (value: unknown) => both({ message: `invalid duration ${quoted(value)}`, hint: DURATION_HINT.en }, { message: `无效的时长 ${quoted(value)}`, hint: DURATION_HINT.zh }),
  percentage: (value: unknown) =>
    both({ message: `invalid percentage ${quoted(value)}`, hint: 'write e.g. 1% or 0.5%, or a fraction between 0 and 1' }, { message: `无效的百分比 ${quoted(value)}`, hint: '写成 1% 或 0.5% 这样，或 0 到 1 之间的小数' }),
  sipUri: () => both({ message: 'expected a SIP URI such as sip:127.0.0.1:5060 or sip:pbx.example.com;transport=tcp' }, { message: '应为 SIP URI，例如 sip:127.0.0.1:5060 或 sip:pbx.example.com;transport=tcp' }),
  ipAddress: () => both({ message: 'expected an IP address of this host, e.g. 192.0.2.10' }, { message: '应为本机的 IP 地址，例如 192.0.2.10' }),
  eventPackage: () => both({ message: 'expected an event package name such as presence, message-summary or dialog' }, { message: '应为事件包名，例如 presence、message-summary 或 dialog' }),
  bodyRegex: () =>
    both({ message: 'expected an ECMAScript regular expression the NOTIFY body must match, e.g. "<basic>open</basic>"' }, { message: '应为 NOTIFY 消息体须匹配的 ECMAScript 正则表达式，例如 "<basic>open</basic>"' }),
  receivedMessage: () =>
    both({ message: 'expected a received message such as "<INVITE", "<MESSAGE", "<180" or "<200/INVITE"' }, { message: '应为收到的消息，例如 "<INVITE"、"<MESSAGE"、"<180" 或 "<200/INVITE"' }),
  headerExpectation: () => both({ message: 'expected present, absent, ~ "regex" or the exact value' }, { message: '应为 present、absent、~ "正则" 或确切的值' }),
  badRegex: (pattern: string, detail: string) =>
    both({ message: `invalid regular expression ${quoted(pattern)}: ${detail}`, hint: 'escape a backslash in YAML double quotes as \\\\' }, { message: `无效的正则表达式 ${quoted(pattern)}`, hint: 'YAML 双引号中的反斜杠要写成 \\\\' }),
  localizedText: () => both({ message: 'expected text, or { en: ..., zh: ... } with en required' }, { message: '应为文本，或 { en: ..., zh: ... }（en 必填）' }),
  displayName: () =>
    both(
      { message: 'a display name cannot hold a double quote, a backslash or a line break (write it plain: toDisplayName: Bob Smith)' },
      { message: '显示名不能含双引号、反斜杠或换行（直接写：toDisplayName: Bob Smith）' },
    ),
  kebabId: () => both({ message: 'expected a kebab-case id such as no-answer' }, { message: '应为 kebab-case 形式的 id，例如 no-answer' }),
  cancelledInviteStatus: () => both({ message: 'expected 408 (as iptel.org answered) or 487 (RFC 3261, the default)' }, { message: '应为 408（iptel.org 的应答）或 487（RFC 3261，默认）' }),
  headerName: () => both({ message: 'expected a header name such as X-Run-Id or P-Asserted-Identity' }, { message: '应为头域名，例如 X-Run-Id 或 P-Asserted-Identity' }),
  builtHeader: (name: string) =>
    both(
      { message: `${name} is built by the user agent and cannot be set; set extension headers (X-…, P-Asserted-Identity, Subject, …), or put a different user in the call's to: URI` },
      { message: `${name} 由用户代理生成，不能设置；可设置扩展头域（X-…、P-Asserted-Identity、Subject 等），或在呼叫的 to: URI 中换一个用户` },
    ),
  statusList: (input: unknown) =>
    both({ message: `expected a SIP status code or a list of them, got ${quoted(input)}`, hint: 'e.g. status: 404, or status: [401, 403]' }, { message: `应为 SIP 状态码或状态码列表，实际是 ${quoted(input)}`, hint: '例如 status: 404 或 status: [401, 403]' }),
  mediaType: () => both({ message: 'expected a media type such as text/plain' }, { message: '应为媒体类型，例如 text/plain' }),
  dtmfQuoted: () => both({ message: 'expected DTMF digits as a quoted string, e.g. "1234#"' }, { message: '应为加引号的 DTMF 数字串，例如 "1234#"' }),
  dtmfDigits: () => both({ message: 'expected DTMF digits 0-9, *, #, A-D, e.g. "1234#"' }, { message: '应为 DTMF 数字 0-9、*、#、A-D，例如 "1234#"' }),
  flowPattern: (text: string, reason: FieldMeaning) =>
    both({ message: `invalid flow pattern ${quoted(text)}: ${reason.en}`, hint: FLOW_HINT.en }, { message: `无效的流程模式 ${quoted(text)}：${reason.zh}`, hint: FLOW_HINT.zh }),
};

/** Why a flow pattern does not parse (the reason inside schemaProblem.flowPattern). */
export const flowPatternReason = {
  bothDirections: { en: 'both < and >; pick one direction', zh: '同时有 < 和 >；只能选一个方向' },
  noDirection: { en: 'no direction; put > after (sent) or < before (received)', zh: '没有方向；发出在后面加 >，收到在前面加 <' },
  notAToken: (token: string): FieldMeaning => ({ en: `"${token}" is neither a method, a status (180) nor a class (2xx)`, zh: `"${token}" 既不是方法，也不是状态码（180）或响应类（2xx）` }),
  unknownMethod: (name: string): FieldMeaning => ({ en: `unknown method ${name}`, zh: `未知的方法 ${name}` }),
  requestWithCseq: { en: 'only a response can be qualified by a CSeq method', zh: '只有响应才能用 CSeq 方法限定' },
};

/** Problems between fields of a bots or scenario file, and with the environment they name. */
export const referenceProblem = {
  malformedEnv: (reference: string) =>
    both({ message: `malformed environment reference ${reference}`, hint: 'write ${NAME} or ${NAME:-default}; use $${ for a literal ${' }, { message: `格式错误的环境变量引用 ${reference}`, hint: '写成 ${NAME} 或 ${NAME:-default}；字面的 ${ 写成 $${' }),
  envNotSet: (name: string) => both({ message: `environment variable ${name} is not set`, hint: 'set it in .env or the environment; see .env.example' }, { message: `环境变量 ${name} 未设置`, hint: '在 .env 或环境中设置它；参见 .env.example' }),
  noBots: () => both({ message: 'no bots defined', hint: 'add at least one bot, e.g. alice: { user: alice, password: secret }' }, { message: '没有定义机器人', hint: '至少添加一个，例如 alice: { user: alice, password: secret }' }),
  badName: (kind: 'bot' | 'role' | 'expected call', name: string) => {
    const zhKind = { bot: '机器人名', role: '角色名', 'expected call': '预期呼叫名' }[kind];
    return both({ message: `invalid ${kind} name "${name}"`, hint: NAME_HINT.en }, { message: `无效的${zhKind} "${name}"`, hint: NAME_HINT.zh });
  },
  noDomain: () => both({ message: 'no domain for this bot', hint: 'set domain here or under defaults' }, { message: '这个机器人没有 domain', hint: '在这里或 defaults 下设置 domain' }),
  webrtcBotTransport: (transport: string) =>
    both(
      { message: `media: webrtc needs a WebSocket transport (ws or wss), but this bot uses ${transport}`, hint: 'set transport: wss (or ws) for this bot, or media: rtp' },
      { message: `media: webrtc 需要 WebSocket 传输（ws 或 wss），但这个机器人用的是 ${transport}`, hint: '给这个机器人设置 transport: wss（或 ws），或改用 media: rtp' },
    ),
  playUnreadable: (path: string, reason: FieldMeaning) =>
    both({ message: `cannot read ${path}: ${reason.en}`, hint: 'the path is relative to the bots file' }, { message: `无法读取 ${path}：${reason.zh}`, hint: '路径相对于机器人文件' }),
  playNotPcm: (path: string, detail: string) =>
    both({ message: detail, hint: 'bots play 8 kHz mono 16-bit PCM WAV files' }, { message: `${path} 不能播放`, hint: '机器人播放 8 kHz 单声道 16 位 PCM 的 WAV 文件' }),
  unknownRole: (role: string, roles: readonly string[]) =>
    both({ message: `unknown role "${role}"`, hint: `roles defined: ${list(roles, 'none')}` }, { message: `未知的角色 "${role}"`, hint: `已定义的角色：${list(roles, '无')}` }),
  unknownBot: (bot: string, botsFile: string | undefined, bots: readonly string[]) =>
    both(
      { message: `unknown bot "${bot}"`, hint: `bots${botsFile === undefined ? '' : ` in ${botsFile}`}: ${bots.join(', ')}` },
      { message: `未知的机器人 "${bot}"`, hint: `${botsFile === undefined ? '' : `${botsFile} 中的`}机器人：${bots.join(', ')}` },
    ),
  noCallStep: (call: string, calls: readonly string[]) =>
    both(
      { message: `no call step named "${call}"`, hint: `call steps: ${list(calls, 'none')}; name one with call: { ..., name: main }` },
      { message: `没有名为 "${call}" 的呼叫步骤`, hint: `呼叫步骤：${list(calls, '无')}；用 call: { ..., name: main } 命名` },
    ),
  noSteps: () => both({ message: 'no steps', hint: 'add at least one step, e.g. - call: { from: caller, to: callee }' }, { message: '没有步骤', hint: '至少添加一步，例如 - call: { from: caller, to: callee }' }),
  noAction: (kinds: readonly string[]) => both({ message: `step has no action (one of ${kinds.join(', ')})`, hint: STEP_HINT.en }, { message: `这一步没有动作（可选 ${kinds.join(', ')}）`, hint: STEP_HINT.zh }),
  manyActions: (kinds: readonly string[]) => both({ message: `step has more than one action (${kinds.join(', ')})`, hint: STEP_HINT.en }, { message: `这一步有多个动作（${kinds.join(', ')}）`, hint: STEP_HINT.zh }),
  waitForNotCall: () => both({ message: 'waitFor applies only to a call step', hint: 'use - wait: 1s to pause' }, { message: 'waitFor 只用于 call 步骤', hint: '暂停请用 - wait: 1s' }),
  headersNotHere: (kind: string, kinds: readonly string[]) =>
    both({ message: `headers do not apply to a ${kind} step`, hint: `headers go beside a step that sends a request: ${kinds.join(', ')}` }, { message: `headers 不适用于 ${kind} 步骤`, hint: `headers 只能写在发送请求的步骤旁：${kinds.join(', ')}` }),
  duplicateCallName: (name: string) => both({ message: `duplicate call name "${name}"`, hint: 'give each call step its own name' }, { message: `重复的呼叫名 "${name}"`, hint: '给每个呼叫步骤起不同的名字' }),
  transferTarget: () =>
    both(
      { message: 'a transfer needs exactly one of to (blind) and attended (a call step name)', hint: 'transfer: { from: callee, to: target }, or transfer: { from: caller, call: first, attended: consult }' },
      { message: '转接须在 to（盲转）和 attended（呼叫步骤名）中恰好给出一个', hint: 'transfer: { from: callee, to: target }，或 transfer: { from: caller, call: first, attended: consult }' },
    ),
  noEarlierCall: (name: string, calls: readonly string[]) =>
    both({ message: `no earlier call step named "${name}"`, hint: `call steps before this one: ${list(calls, 'none')}` }, { message: `前面没有名为 "${name}" 的呼叫步骤`, hint: `此前的呼叫步骤：${list(calls, '无')}` }),
  callAndExpectedCall: (name: string) =>
    both({ message: `"${name}" names both a call step and an expected call`, hint: 'give the expected call its own name' }, { message: `"${name}" 同时是呼叫步骤名和预期呼叫名`, hint: '给预期呼叫另起一个名字' }),
  awaitedCall: (name: string, placedLater: boolean, expected: readonly string[], placed: readonly string[]) =>
    both(
      {
        message: placedLater ? `call ${name} is placed after this step` : `no expected call or call step named "${name}"`,
        hint: `expected calls: ${list(expected, 'none')}; call steps before this one: ${list(placed, 'none')}`,
      },
      {
        message: placedLater ? `呼叫 ${name} 在这一步之后才发起` : `没有名为 "${name}" 的预期呼叫或呼叫步骤`,
        hint: `预期呼叫：${list(expected, '无')}；此前的呼叫步骤：${list(placed, '无')}`,
      },
    ),
  duplicateId: (id: string, first: string) => both({ message: `id "${id}" is also used by ${first}`, hint: 'give each scenario its own id' }, { message: `id "${id}" 已被 ${first} 使用`, hint: '给每个场景不同的 id' }),
};

/** Problems of a whole run: bots, scenarios and command-line options together. */
export const sessionProblem = {
  serverAndOutboundProxy: (server: string, outboundProxy: string) =>
    both(
      {
        message: `both a server (${server}) and an outbound proxy (${outboundProxy}) are set: requests go to the outbound proxy, which reaches the domain's server itself`,
        hint: 'keep one: server for a domain reached directly, outboundProxy for a proxy in front of it',
      },
      { message: `同时设置了服务器（${server}）和出站代理（${outboundProxy}）：请求发往出站代理，由它联系域的服务器`, hint: '只保留一个：直接到达域用 server，前面有代理用 outboundProxy' },
    ),
  botsDisagree: (field: string, bot: string, value: string | undefined, first: string, firstValue: string | undefined) =>
    both(
      { message: `bot ${bot} has ${field} ${value ?? '(none)'}, bot ${first} ${firstValue ?? '(none)'}: the bots of one run share one ${field}`, hint: `set ${field} once, under defaults` },
      { message: `机器人 ${bot} 的 ${field} 是 ${value ?? '（无）'}，机器人 ${first} 的是 ${firstValue ?? '（无）'}：同一次运行的机器人共用一个 ${field}`, hint: `在 defaults 下只设置一次 ${field}` },
    ),
  embeddedProxyOnly: (reason: FieldMeaning) => both({ message: `${reason.en}, and --server was given`, hint: 'run it without --server' }, { message: `${reason.zh}，而运行给了 --server`, hint: '去掉 --server 运行' }),
  webrtcMediaOption: (transport: string) =>
    both({ message: `--media webrtc needs a WebSocket transport, but this run uses ${transport}`, hint: 'add --transport wss (or ws), or use --media rtp' }, { message: `--media webrtc 需要 WebSocket 传输，但这次运行用的是 ${transport}`, hint: '加上 --transport wss（或 ws），或改用 --media rtp' }),
  envTransport: (transport: string, transports: readonly string[]) =>
    both({ message: `${transport} is not one of ${transports.join(', ')}` }, { message: `${transport} 不在 ${transports.join(', ')} 之中` }),
  caFile: (reason: FieldMeaning) =>
    both({ message: `cannot read the CA file: ${reason.en}`, hint: 'pass a PEM certificate with --ca' }, { message: `无法读取 CA 文件：${reason.zh}`, hint: '用 --ca 给出 PEM 格式的证书' }),
  bindFamily: (bot: string, bound: string, boundFamily: string, server: string, serverFamily: string) =>
    both(
      { message: `bot ${bot} binds ${bound} (${boundFamily}) but its server ${server} is ${serverFamily}`, hint: `set bindAddress to an ${serverFamily} address of this host, or leave it out` },
      { message: `机器人 ${bot} 绑定 ${bound}（${boundFamily}），但它的服务器 ${server} 是 ${serverFamily}`, hint: `把 bindAddress 设为本机的 ${serverFamily} 地址，或不设` },
    ),
  bindNextTarget: (bot: string, bound: string, target: string) =>
    both(
      { message: `bot ${bot} binds ${bound}, and the server's next target ${target} is of the other address family`, hint: 'leave bindAddress out, or give the server name only records of its family' },
      { message: `机器人 ${bot} 绑定 ${bound}，而服务器的下一个目标 ${target} 属于另一个地址族`, hint: '不设 bindAddress，或让服务器名只解析到同一地址族的记录' },
    ),
  webrtcBot: (bot: string, transport: string) =>
    both(
      { message: `bot ${bot} has media: webrtc, which needs a WebSocket transport, but this run uses ${transport}`, hint: 'add --transport wss (or ws), or use --media rtp' },
      { message: `机器人 ${bot} 设置了 media: webrtc，它需要 WebSocket 传输，但这次运行用的是 ${transport}`, hint: '加上 --transport wss（或 ws），或改用 --media rtp' },
    ),
};

const READ_REASONS_ZH: Record<InputFileError['problem'], string> = {
  'not-found': '文件不存在',
  'permission-denied': '没有权限',
  'not-a-folder-on-path': '路径中的某个文件夹其实是文件',
  directory: '是文件夹，不是文件',
  'not-regular': '不是普通文件（设备、FIFO 或套接字一律不读）',
  'too-large': '文件过大',
  unreadable: '无法读取',
};

/** Why a file could not be read, in both languages. */
export function readReason(error: InputFileError): FieldMeaning {
  return { en: error.reason, zh: READ_REASONS_ZH[error.problem] };
}
