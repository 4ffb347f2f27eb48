import type { Lang } from './explanations-cases.js';

/** Every fixed word of the HTML and Markdown reports, in both languages. */
export interface ReportStrings {
  title: string;
  interrupted: string;
  started: string;
  server: string;
  transport: string;
  duration: string;
  summary: string;
  caseId: string;
  caseTitle: string;
  result: string;
  passed: string;
  failed: string;
  outcome: string;
  finalStatus: string;
  endedBy: string;
  whatHappens: string;
  difference: string;
  error: string;
  /** What a peer did that the run accepted or mended (a 180 without Contact, a 200 after a 408). */
  findings: string;
  flows: string;
  expected: string;
  observed: string;
  ladder: string;
  steps: string;
  message: string;
  media: string;
  noMedia: string;
  party: string;
  codec: string;
  sentPackets: string;
  toneSent: string;
  receivedPackets: string;
  lost: string;
  jitter: string;
  mos: string;
  toneHeard: string;
  dtmf: string;
  headers: string;
  noMessages: string;
  firstDifference: string;
  registration: string;
  registrationIntro: string;
  fields: string;
  digestFields: string;
  calls: string;
  /** The original capture's ladder beside the run's (a scenario made by from-capture). */
  thisRunLadder: string;
  originalLadder: string;
  originalUnread: string;
  unmatchedNote: string;
  noAnswer: string;
  variant: string;
  whose: string;
  source: string;
  callerLeg: string;
  calleeLeg: string;
  thisRun: string;
  notRun: string;
  glossary: string;
  serverKinds: Record<'embedded' | 'external', string>;
}

export const REPORT_STRINGS: Record<Lang, ReportStrings> = {
  en: {
    title: 'sipbots run report',
    interrupted: 'This run was interrupted: cases after the interruption did not run or did not finish.',
    started: 'Started',
    server: 'Server',
    transport: 'Transport',
    duration: 'Duration',
    summary: 'Summary',
    caseId: 'Case',
    caseTitle: 'Title',
    result: 'Result',
    passed: 'passed',
    failed: 'FAILED',
    outcome: 'Outcome',
    finalStatus: 'Final status',
    endedBy: 'Ended by',
    whatHappens: 'What this case shows',
    difference: 'First difference',
    error: 'Error',
    findings: 'Findings',
    flows: 'Expected and observed flows',
    expected: 'Expected',
    observed: 'Observed',
    ladder: 'Ladder',
    steps: 'Step by step',
    message: 'full message',
    media: 'Media',
    noMedia: 'No media statistics were recorded for this case.',
    party: 'Party',
    codec: 'Codec',
    sentPackets: 'Sent packets',
    toneSent: 'Tone sent (Hz)',
    receivedPackets: 'Received packets',
    lost: 'Lost',
    jitter: 'Jitter (ms)',
    mos: 'MOS',
    toneHeard: 'Tone heard (Hz)',
    dtmf: 'DTMF',
    headers: 'Reading the headers and SDP',
    noMessages: 'No SIP messages were recorded for this case.',
    firstDifference: 'first difference',
    registration: 'Registration',
    registrationIntro:
      'Before any call, each bot tells the registrar where it can be reached: REGISTER, a 401 challenge with realm and nonce, the same REGISTER with credentials, and 200 OK with the binding and how long it lasts.',
    fields: 'Fields',
    digestFields: 'Digest fields',
    calls: 'Calls in this ladder',
    thisRunLadder: 'This run',
    originalLadder: 'Original capture',
    originalUnread: 'The original capture could not be read',
    unmatchedNote: 'Shaded rows: messages with no counterpart in the other ladder (retransmissions aside).',
    noAnswer: 'Discussion: the no-answer variants',
    variant: 'Case',
    whose: 'Whose timer ends it',
    source: 'Flow as in',
    callerLeg: "Caller's leg after the 180",
    calleeLeg: "Callee's leg after the 180",
    thisRun: 'This run',
    notRun: 'not run',
    glossary: 'Glossary',
    serverKinds: { embedded: 'embedded', external: 'external' },
  },
  zh: {
    title: 'sipbots 运行报告',
    interrupted: '本次运行被中断：中断之后的用例没有运行或没有完成。',
    started: '开始时间',
    server: '服务器',
    transport: '传输协议',
    duration: '耗时',
    summary: '概览',
    caseId: '用例',
    caseTitle: '标题',
    result: '结果',
    passed: '通过',
    failed: '失败',
    outcome: '结局',
    finalStatus: '最终状态码',
    endedBy: '由谁结束',
    whatHappens: '本用例说明',
    difference: '第一处差异',
    error: '错误',
    findings: '发现',
    flows: '预期流程与实际流程',
    expected: '预期',
    observed: '实际',
    ladder: '信令图',
    steps: '逐步说明',
    message: '完整消息',
    media: '媒体',
    noMedia: '本用例没有记录媒体统计。',
    party: '参与方',
    codec: '编解码器',
    sentPackets: '发送包数',
    toneSent: '发送音调 (Hz)',
    receivedPackets: '接收包数',
    lost: '丢包',
    jitter: '抖动 (ms)',
    mos: 'MOS',
    toneHeard: '听到的音调 (Hz)',
    dtmf: 'DTMF',
    headers: '头字段与 SDP 解读',
    noMessages: '本用例没有记录 SIP 消息。',
    firstDifference: '第一处差异',
    registration: '注册',
    registrationIntro:
      '在任何呼叫之前，每个机器人都先告诉注册服务器在哪里可以找到它：REGISTER，带 realm 和 nonce 的 401 质询，带凭据的同一个 REGISTER，以及带绑定和有效时长的 200 OK。',
    fields: '字段',
    digestFields: 'Digest 字段',
    calls: '本图中的呼叫',
    thisRunLadder: '本次运行',
    originalLadder: '原始抓包',
    originalUnread: '无法读取原始抓包',
    unmatchedNote: '底色标出的行：在另一张图中没有对应的消息（不计重传）。',
    noAnswer: '讨论：无应答的几种变体',
    variant: '用例',
    whose: '谁的定时器结束呼叫',
    source: '流程来源',
    callerLeg: '180 之后主叫一侧',
    calleeLeg: '180 之后被叫一侧',
    thisRun: '本次运行',
    notRun: '未运行',
    glossary: '术语表',
    serverKinds: { embedded: '内置代理', external: '外部服务器' },
  },
};
