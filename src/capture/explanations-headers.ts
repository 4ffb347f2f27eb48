import type { Localized } from './explanations-cases.js';

/** A header or SDP line worth explaining, and how to spot it in a message. */
export interface HeaderTopic {
  id: string;
  /** What the reader sees, e.g. `Via … ;rport`. */
  title: string;
  present: RegExp;
  text: Localized;
}

export const HEADER_TOPICS: readonly HeaderTopic[] = [
  {
    id: 'via',
    title: 'Via',
    present: /^(Via|v)\s*:/im,
    text: {
      en: 'Via records the path a request took, one line per hop; responses travel back along it, each hop removing its own line.',
      zh: 'Via 记录请求经过的路径，每一跳一行；响应沿着它原路返回，每一跳删除自己的那一行。',
    },
  },
  {
    id: 'branch',
    title: 'Via …;branch=z9hG4bK…',
    present: /branch=z9hG4bK/i,
    text: {
      en: 'branch names the transaction. The z9hG4bK prefix is the RFC 3261 magic cookie: it promises the rest is unique, so the branch alone identifies the transaction.',
      zh: 'branch 标识事务。前缀 z9hG4bK 是 RFC 3261 的魔术串：它保证其余部分唯一，因此仅凭 branch 就能识别事务。',
    },
  },
  {
    id: 'rport',
    title: 'Via …;rport / ;received=',
    present: /;\s*(rport|received)\b/i,
    text: {
      en:
        'rport (RFC 3581) asks the server to note the source port it really saw (rport=) and received= the source address, so responses get back ' +
        'through NAT. The lab softphone was behind NAT and used it.',
      zh: 'rport（RFC 3581）请服务器记下它实际看到的源端口（rport=），received= 记下源地址，使响应能穿过 NAT 返回。实验中的软电话位于 NAT 之后，用到了它。',
    },
  },
  {
    id: 'max-forwards',
    title: 'Max-Forwards: 70',
    present: /^Max-Forwards\s*:/im,
    text: {
      en: 'Max-Forwards is a hop limit, decreased by each proxy; at 0 the request is refused with 483, which stops routing loops.',
      zh: 'Max-Forwards 是跳数上限，每个代理减一；到 0 时请求被以 483 拒绝，从而避免路由环路。',
    },
  },
  {
    id: 'record-route',
    title: 'Record-Route',
    present: /^Record-Route\s*:/im,
    text: {
      en: 'A proxy that wants to see the rest of the dialog (ACK, BYE) adds Record-Route; both ends turn these into the Route set of later requests.',
      zh: '希望看到对话后续消息（ACK、BYE）的代理会加上 Record-Route；两端据此生成后续请求的 Route 集。',
    },
  },
  {
    id: 'contact-ob',
    title: 'Contact: <…;ob>',
    present: /^(Contact|m)\s*:.*;ob\b/im,
    text: {
      en: 'Contact is where this agent can be reached directly. ;ob (RFC 5626 outbound) says: send requests for me back over the flow I registered on, which keeps NAT bindings working.',
      zh: 'Contact 是可以直接找到该用户代理的地址。;ob（RFC 5626 outbound）表示：请通过我注册时使用的连接把请求发回给我，这样 NAT 映射能持续有效。',
    },
  },
  {
    id: 'session-expires',
    title: 'Session-Expires / Min-SE',
    present: /^(Session-Expires|x|Min-SE)\s*:/im,
    text: {
      en:
        'Session timers (RFC 4028): the call must be refreshed (re-INVITE or UPDATE) within Session-Expires seconds (1800 in the lab) or either side may ' +
        'drop it; Min-SE (90) is the shortest interval accepted, a smaller one gets 422.',
      zh: '会话定时器（RFC 4028）：通话必须在 Session-Expires 秒内（实验中为 1800）刷新（re-INVITE 或 UPDATE），否则任一方可以挂断；Min-SE（90）是可接受的最短间隔，更小的会得到 422。',
    },
  },
  {
    id: 'sdp-o',
    title: 'o=',
    present: /^o=/m,
    text: {
      en: 'o= (origin): user name, session id, version (increased on every change) and the address of whoever created the session description.',
      zh: 'o=（源）：用户名、会话 id、版本号（每次修改加一）以及创建该会话描述一方的地址。',
    },
  },
  {
    id: 'sdp-c',
    title: 'c=',
    present: /^c=/m,
    text: {
      en: 'c= (connection): the IP address the media should be sent to.',
      zh: 'c=（连接）：媒体应发往的 IP 地址。',
    },
  },
  {
    id: 'sdp-m',
    title: 'm=audio',
    present: /^m=audio/m,
    text: {
      en: 'm=audio <port> RTP/AVP <payload types>: one audio stream, the UDP port to send RTP to and the codecs offered in order of preference.',
      zh: 'm=audio <端口> RTP/AVP <负载类型>：一路音频流，RTP 应发往的 UDP 端口，以及按优先级排列的可用编解码器。',
    },
  },
  {
    id: 'sdp-rtpmap',
    title: 'a=rtpmap',
    present: /^a=rtpmap:/m,
    text: {
      en: 'a=rtpmap maps a payload type number to a codec and clock rate: 0 PCMU/8000 and 8 PCMA/8000 are G.711, 101 telephone-event carries DTMF.',
      zh: 'a=rtpmap 把负载类型编号映射到编解码器和时钟频率：0 PCMU/8000 和 8 PCMA/8000 是 G.711，101 telephone-event 用来传 DTMF。',
    },
  },
  {
    id: 'sdp-ptime',
    title: 'a=ptime',
    present: /^a=ptime:/m,
    text: {
      en: 'a=ptime: milliseconds of audio per packet; 20 ms means 50 RTP packets per second in each direction.',
      zh: 'a=ptime：每个包的音频毫秒数；20 ms 表示每个方向每秒 50 个 RTP 包。',
    },
  },
  {
    id: 'sdp-direction',
    title: 'a=sendrecv',
    present: /^a=(sendrecv|sendonly|recvonly|inactive)/m,
    text: {
      en: 'a=sendrecv: this side both sends and receives audio; sendonly, recvonly and inactive are used to put a call on hold.',
      zh: 'a=sendrecv：本方既发送也接收音频；sendonly、recvonly 和 inactive 用于呼叫保持。',
    },
  },
];
