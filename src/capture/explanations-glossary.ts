import type { Localized } from './explanations-cases.js';

/** Words a student meets in every message, explained once at the end of the report. */
export interface GlossaryEntry {
  term: string;
  text: Localized;
}

export const GLOSSARY: readonly GlossaryEntry[] = [
  {
    term: 'realm',
    text: {
      en: 'The protection space of a Digest challenge, usually the domain (lab.test here, iptel.org in the original lab). It tells the agent which user name and password to use and is part of what is hashed.',
      zh: 'Digest 质询的保护域，通常就是域名（这里是 lab.test，原实验中是 iptel.org）。它告诉用户代理该用哪个用户名和密码，也参与哈希计算。',
    },
  },
  {
    term: 'nonce',
    text: {
      en: 'A one-time value the server puts in its 401/407 challenge. The agent hashes it with its password, so a captured answer cannot be replayed later. A nonce expires: the server then challenges again with stale=true.',
      zh: '服务器在 401/407 质询中给出的一次性值。用户代理把它和密码一起做哈希，因此截获的应答无法日后重放。nonce 会过期：过期后服务器再次质询并带上 stale=true。',
    },
  },
  {
    term: 'stale=true',
    text: {
      en: 'In a challenge: "your credentials were right but the nonce has expired". The agent simply answers the new nonce without asking the user for the password again.',
      zh: '出现在质询中，意思是“你的凭据没错，但 nonce 已经过期”。用户代理直接用新的 nonce 重新计算应答，不必再向用户要密码。',
    },
  },
  {
    term: 'qop',
    text: {
      en: 'Quality of protection. qop=auth means the hash also covers a client nonce (cnonce) and a request counter (nc), which protects against replay and chosen-plaintext attacks; auth-int would also cover the body.',
      zh: '保护质量。qop=auth 表示哈希还包括客户端 nonce（cnonce）和请求计数（nc），可防止重放和选择明文攻击；auth-int 还会覆盖消息体。',
    },
  },
  {
    term: 'response',
    text: {
      en: 'The Digest answer: a hash (MD5, or SHA-256 per RFC 8760) of the user name, realm and password combined with the nonce, method and URI (and cnonce, nc with qop). The server computes the same and compares; the password never travels.',
      zh: 'Digest 应答：用户名、realm、密码与 nonce、方法、URI（有 qop 时还有 cnonce、nc）组合后的哈希（MD5，或 RFC 8760 的 SHA-256）。服务器用同样方法计算并比较；密码本身从不传输。',
    },
  },
  {
    term: 'Call-ID',
    text: {
      en: 'Identifies one call (or one registration) from start to end; every message of it carries the same Call-ID. With the From and To tags it identifies the dialog.',
      zh: '从头到尾标识一次呼叫（或一次注册）；其中每条消息都带同一个 Call-ID。它与 From、To 的 tag 一起标识一个对话。',
    },
  },
  {
    term: 'CSeq',
    text: {
      en: 'A sequence number and a method (CSeq: 2 INVITE). A new request in a dialog gets a higher number; a response carries the CSeq of its request, and CANCEL and the ACK to a failure reuse the INVITE\'s number.',
      zh: '序号加方法（CSeq: 2 INVITE）。对话中的新请求序号更大；响应带着它所回应请求的 CSeq，CANCEL 和对失败响应的 ACK 沿用 INVITE 的序号。',
    },
  },
  {
    term: 'tag (From/To)',
    text: {
      en: 'Random values each side adds to From and To. The caller sets the From tag in its INVITE; the callee adds the To tag in its first response. Call-ID plus both tags identify the dialog.',
      zh: '双方各自在 From 和 To 中加上的随机值。主叫在 INVITE 中设置 From tag；被叫在第一个响应中加上 To tag。Call-ID 加上两个 tag 标识一个对话。',
    },
  },
  {
    term: 'branch',
    text: {
      en: 'The Via parameter that names a transaction at one hop. It starts with the magic cookie z9hG4bK; a retransmission keeps it, a new request gets a new one, and a CANCEL or a failure ACK reuses the INVITE\'s.',
      zh: 'Via 中的参数，标识某一跳上的事务。它以魔术串 z9hG4bK 开头；重传保持不变，新请求换新的，CANCEL 和对失败响应的 ACK 沿用 INVITE 的 branch。',
    },
  },
  {
    term: 'rport',
    text: {
      en: 'A Via parameter (RFC 3581): the sender asks the server to write the source port it really saw into rport= (and the address into received=) and to answer there, which gets responses back through NAT.',
      zh: 'Via 参数（RFC 3581）：发送方请服务器把它实际看到的源端口写进 rport=（源地址写进 received=）并回到那里，使响应能穿过 NAT 返回。',
    },
  },
  {
    term: 'Record-Route',
    text: {
      en: 'Added by a proxy to the INVITE it forwards when it wants to stay in the path of the dialog. Both ends copy the Record-Route entries into a route set, so ACK, BYE and re-INVITEs pass the proxy too.',
      zh: '代理转发 INVITE 时加入，表示想留在对话的路径上。两端把 Record-Route 条目存为路由集，于是 ACK、BYE 和 re-INVITE 也经过该代理。',
    },
  },
  {
    term: 'Max-Forwards',
    text: {
      en: 'A hop counter, 70 at the start. Every proxy decreases it by one before forwarding; a request that arrives with 0 is answered 483 Too Many Hops, which ends routing loops.',
      zh: '跳数计数器，初始为 70。每个代理转发前减一；到达时为 0 的请求会得到 483 Too Many Hops，从而终止路由环路。',
    },
  },
];
