import type { Localized } from './explanations-cases.js';

/** The kinds of ladder step the report explains; see classifyStep in explanations.ts. */
export type StepKind =
  | 'register'
  | 'register-auth'
  | 'register-refresh'
  | 'unregister'
  | 'challenge-401'
  | 'ok-register'
  | 'invite'
  | 'invite-auth'
  | 'invite-forwarded'
  | 'challenge-407'
  | 'ack-non2xx'
  | 'ack-2xx'
  | 'trying'
  | 'ringing'
  | 'session-progress'
  | 'ok-invite'
  | 'cancel'
  | 'ok-cancel'
  | 'terminated-487'
  | 'timeout-408'
  | 'busy-486'
  | 'decline-603'
  | 'bye'
  | 'ok-bye'
  | 'retransmission'
  | 'request-other'
  | 'response-other';

export const STEP_EXPLANATIONS: Record<StepKind, Localized> = {
  register: {
    en: 'REGISTER tells the registrar where this user can be reached now (the Contact address).',
    zh: 'REGISTER 告诉注册服务器这个用户现在在哪里可以找到（Contact 地址）。',
  },
  'challenge-401': {
    en: '401 Unauthorized: the registrar wants proof of identity. WWW-Authenticate carries the realm and a fresh nonce to hash the password with.',
    zh: '401 Unauthorized：注册服务器要求证明身份。WWW-Authenticate 带有 realm 和一个新的 nonce，用来与密码一起做哈希。',
  },
  'register-auth': {
    en: 'REGISTER again, now with an Authorization header: the digest of user, realm, password and nonce. The password itself never crosses the wire.',
    zh: '再次发送 REGISTER，这次带 Authorization 头：由用户名、realm、密码和 nonce 计算出的摘要。密码本身从不在网络上传输。',
  },
  'ok-register': {
    en: '200 OK: the binding is stored; Contact lists the bindings and Expires says for how long.',
    zh: '200 OK：绑定已保存；Contact 列出绑定，Expires 表示有效时长。',
  },
  'register-refresh': {
    en:
      'A registration only lasts Expires seconds, so the agent registers again before it runs out, typically at about 90 % of the granted time. ' +
      'The lab saw a REGISTER about every 55 s (a 60 s grant), also in the middle of a call.',
    zh: '注册只在 Expires 秒内有效，所以用户代理会在到期前重新注册，通常在获准时长的约 90 % 时。原实验大约每 55 秒看到一次 REGISTER（获准 60 秒），通话中也会发生。',
  },
  unregister: {
    en: 'REGISTER with expires=0 removes the binding: the agent says goodbye before it stops, so the registrar no longer routes calls to it.',
    zh: '带 expires=0 的 REGISTER 删除绑定：用户代理在退出前注销，注册服务器从此不再把呼叫路由给它。',
  },
  'invite-forwarded': {
    en: 'The proxy forwards the INVITE to where the callee registered (its Contact).',
    zh: '代理把 INVITE 转发到被叫注册的地址（它的 Contact）。',
  },
  invite: {
    en: 'INVITE starts the call. It carries the caller\'s SDP offer: where it wants to receive audio and with which codecs.',
    zh: 'INVITE 发起呼叫，携带主叫的 SDP offer：希望在哪里接收音频、使用哪些编解码器。',
  },
  'challenge-407': {
    en:
      '407 Proxy Authentication Required: the proxy, not the callee, wants credentials before it routes the call. SIP borrowed this Digest ' +
      'challenge from HTTP (RFC 2617, now RFC 7616; SHA-256 per RFC 8760 besides the older MD5). That is why every call starts with two INVITEs.',
    zh:
      '407 Proxy Authentication Required：是代理而不是被叫要求凭据，之后才会路由这次呼叫。SIP 的 Digest 质询借鉴自 HTTP（RFC 2617，现为 RFC 7616；' +
      '除旧的 MD5 外还可用 RFC 8760 的 SHA-256）。这就是每次呼叫都以两个 INVITE 开始的原因。',
  },
  'ack-non2xx': {
    en:
      'ACK to a failure response (3xx–6xx). It is part of the INVITE transaction: same branch as the INVITE, sent only to the next hop that ' +
      'sent the response. Each proxy ACKs the failure it received itself, so this ACK is hop by hop.',
    zh: '对失败响应（3xx–6xx）的 ACK。它属于 INVITE 事务：branch 与 INVITE 相同，只发给发出该响应的下一跳。每个代理自己确认收到的失败响应，所以这种 ACK 是逐跳的。',
  },
  'invite-auth': {
    en:
      'The INVITE again, with Proxy-Authorization answering the nonce. Same Call-ID and From tag, but a new CSeq number and a new branch: it is a new ' +
      'transaction. The callee only ever sees this second INVITE.',
    zh: '再次发送 INVITE，带 Proxy-Authorization 回应 nonce。Call-ID 和 From tag 不变，但 CSeq 序号和 branch 是新的：这是一个新事务。被叫只会看到这第二个 INVITE。',
  },
  trying: {
    en: '100 Trying: the next hop has the INVITE and is working on it, so the sender stops retransmitting. It is hop by hop and never forwarded.',
    zh: '100 Trying：下一跳已收到 INVITE 并在处理，发送方因此停止重传。它是逐跳的，不会被转发。',
  },
  ringing: {
    en: "180 Ringing: the callee's phone is alerting. It comes end to end from the callee and carries its To tag (an early dialog).",
    zh: '180 Ringing：被叫电话正在振铃。它从被叫端到端传回，带有被叫的 To tag（早期对话）。',
  },
  'session-progress': {
    en: '183 Session Progress: early media (ringback or announcements) may flow before the answer.',
    zh: '183 Session Progress：在应答之前可能已有早期媒体（回铃音或提示音）。',
  },
  'ok-invite': {
    en: '200 OK to the INVITE: the call is answered. It carries the SDP answer and is re-sent until the ACK arrives.',
    zh: '对 INVITE 的 200 OK：呼叫被接听。它携带 SDP answer，在收到 ACK 之前会一直重发。',
  },
  'ack-2xx': {
    en:
      'ACK to the 200 OK. Unlike the ACK to a failure it is a transaction of its own (new branch) and goes end to end to the callee, through the ' +
      'proxies that put themselves in the route set with Record-Route.',
    zh: '对 200 OK 的 ACK。与对失败响应的 ACK 不同，它是独立的事务（新的 branch），端到端发给被叫，并经过用 Record-Route 把自己加入路由集的代理。',
  },
  cancel: {
    en: 'CANCEL asks to stop an INVITE that has no final answer yet. It uses the INVITE\'s branch and CSeq number and is handled hop by hop.',
    zh: 'CANCEL 请求停止一个尚未得到最终响应的 INVITE。它使用与 INVITE 相同的 branch 和 CSeq 序号，并逐跳处理。',
  },
  'ok-cancel': {
    en: '200 OK to the CANCEL only confirms the CANCEL was received; the INVITE itself still needs its final response (normally 487).',
    zh: '对 CANCEL 的 200 OK 只确认收到了 CANCEL；INVITE 本身仍需要它的最终响应（通常是 487）。',
  },
  'terminated-487': {
    en: '487 Request Terminated: the final response to the cancelled INVITE. It follows the CANCEL and is ACKed hop by hop.',
    zh: '487 Request Terminated：被取消的 INVITE 的最终响应。它跟在 CANCEL 之后，并逐跳 ACK。',
  },
  'timeout-408': {
    en: '408 Request Timeout: a final failure that says "no answer in time".',
    zh: '408 Request Timeout：表示“没有及时应答”的最终失败响应。',
  },
  'busy-486': {
    en: '486 Busy Here: the callee cannot take the call at this device now.',
    zh: '486 Busy Here：被叫此设备当前无法接听。',
  },
  'decline-603': {
    en: '603 Decline: the callee refuses the call everywhere, not only on this device.',
    zh: '603 Decline：被叫在所有设备上都拒绝此次呼叫，而不只是这一台设备。',
  },
  bye: {
    en: 'BYE ends the established call. Either side may send it; it follows the route set of the dialog.',
    zh: 'BYE 结束已建立的通话。任何一方都可以发送；它沿对话的路由集发送。',
  },
  'ok-bye': {
    en: '200 OK to the BYE: the call is over and media stops.',
    zh: '对 BYE 的 200 OK：通话结束，媒体停止。',
  },
  retransmission: {
    en: 'A retransmission: over UDP a message not answered in time is sent again, first after T1 = 500 ms, then at doubling intervals.',
    zh: '重传：在 UDP 上，未及时得到回应的消息会被再次发送，先在 T1 = 500 ms 后，之后间隔加倍。',
  },
  'request-other': {
    en: 'A request outside the call flow the lab studies (for example OPTIONS or MESSAGE).',
    zh: '实验所研究的呼叫流程之外的请求（例如 OPTIONS 或 MESSAGE）。',
  },
  'response-other': {
    en: 'A response; the first digit says the class: 1xx provisional, 2xx success, 3xx redirect, 4xx–6xx failure.',
    zh: '一个响应；第一位数字表示类别：1xx 临时，2xx 成功，3xx 重定向，4xx–6xx 失败。',
  },
};
