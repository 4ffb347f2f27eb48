import { join } from 'node:path';
import type { Lang } from '../capture/explanations-cases.js';
import { endingLabel, outcomeLabel } from '../capture/explanations-endings.js';
import { differenceText, findingText } from '../scenario/difference-text.js';
import type { CaseResult, RunSummary } from '../scenario/result-types.js';

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** Every fixed word the lab and run commands print, in both languages (`--lang`). */
const WORDS = {
  en: {
    header: (server: string | undefined, transport: string) => `sipbots lab: ${server ?? 'embedded lab proxy'} over ${transport}`,
    outboundProxy: (server: string) => `${server} (outbound proxy)`,
    dnsTransport: 'the transport DNS chooses (else udp)',
    excluded: (id: string, reason: string) => `not run against this server: ${id} (${reason})`,
    pass: 'PASS',
    fail: 'FAIL',
    failed: 'failed',
    endedBy: (who: string) => `ended by ${who}`,
    finding: 'finding',
    interrupted: 'interrupted: ',
    passed: (n: number, of: number, server: string, transport: string, s: string) => `${n}/${of} cases passed against ${server} (${transport}) in ${s} s`,
    serverTarget: 'server target: ',
    runFolder: 'run folder: ',
    report: 'report: ',
    starting: 'starting the bots and registering them …',
    running: (ids: readonly string[]) => `running ${ids.join(', ')} …`,
  },
  zh: {
    header: (server: string | undefined, transport: string) => `sipbots 实验：${server ?? '内置实验代理'}，传输 ${transport}`,
    outboundProxy: (server: string) => `${server}（出站代理）`,
    dnsTransport: '由 DNS 选定（否则 udp）',
    excluded: (id: string) => `未对此服务器运行：${id}（只有内置实验代理会这样应答）`,
    pass: '通过',
    fail: '失败',
    failed: '失败',
    endedBy: (who: string) => `结束方：${who}`,
    finding: '发现',
    interrupted: '已中断：',
    passed: (n: number, of: number, server: string, transport: string, s: string) => `${n}/${of} 个用例通过，服务器 ${server}（${transport}），用时 ${s} 秒`,
    serverTarget: '服务器目标：',
    runFolder: '运行目录：',
    report: '报告：',
    starting: '正在启动机器人并注册 …',
    running: (ids: readonly string[]) => `正在运行 ${ids.join('、')} …`,
  },
} as const;

/** The lab's first line: the server (undefined: the embedded proxy), whether it is an outbound proxy, and the transport (undefined: DNS chooses). */
export function formatLabHeader(
  route: { server: string | undefined; outboundProxy: boolean; transport: string | undefined },
  lang: Lang = 'en',
  excluded: RunSummary['excluded'] = [],
): string {
  const w = WORDS[lang];
  const notes = (excluded ?? []).map((c) => `${w.excluded(c.id, c.reason)}\n`).join('');
  const server = route.server !== undefined && route.outboundProxy ? w.outboundProxy(route.server) : route.server;
  return `${w.header(server, route.transport ?? w.dnsTransport)}\n${notes}\n`;
}

/** Erases the terminal's current line (a live status line) and returns the cursor to its start. */
export const CLEAR_LINE = '\r\x1b[2K';

/**
 * The live line a terminal shows while something runs (`running no-answer …`), without a
 * newline: the next live line or the case's result line replaces it. Only for a TTY; cut to
 * 78 columns, since a line that wraps would not be erased whole.
 */
export function formatLiveLine(what: { cases: readonly string[] } | 'starting', lang: Lang = 'en'): string {
  const w = WORDS[lang];
  const text = what === 'starting' ? w.starting : w.running(what.cases);
  return `${CLEAR_LINE}${text.length > 78 ? `${text.slice(0, 76)} …` : text}`;
}

/** One line per case as it finishes: verdict, id, duration, outcome or first difference. */
export function formatCaseLine(result: CaseResult, colour: boolean, lang: Lang = 'en'): string {
  const w = WORDS[lang];
  const paint = (code: string, text: string) => (colour ? `${code}${text}${RESET}` : text);
  const mark = result.passed ? paint(GREEN, w.pass) : paint(RED, w.fail);
  const seconds = `${(result.durationMs / 1000).toFixed(1)} s`.padStart(7);
  const ending = endingLabel(result.ending, lang);
  const detail = result.passed
    ? paint(DIM, [outcomeLabel(result.outcome, lang), result.finalStatus, ending ? w.endedBy(ending) : undefined].filter(Boolean).join(' · '))
    : result.difference ? differenceText(result.difference, lang) : w.failed;
  const findings = (result.findings ?? []).map((f) => `      ${w.finding}: ${f.party}: ${findingText(f.message, lang)}\n`).join('');
  return `${mark}  ${result.id.padEnd(22)}${seconds}  ${detail}\n${findings}`;
}

export function formatLabFooter(summary: RunSummary, runDir: string, lang: Lang = 'en'): string {
  const w = WORDS[lang];
  const passed = summary.cases.filter((c) => c.passed).length;
  const state = summary.interrupted ? w.interrupted : '';
  const line = w.passed(passed, summary.cases.length, summary.server, summary.transport, (summary.durationMs / 1000).toFixed(1));
  const target = summary.serverTarget ? `${w.serverTarget}${summary.serverTarget}\n` : '';
  return `\n${state}${line}\n${target}${w.runFolder}${runDir}\n${w.report}${join(runDir, 'report.html')}\n`;
}
