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
  },
};
