import { escapeXml } from '../../capture/ladder-svg.js';
import type { LatencySummary } from '../results/histograms.js';
import type { LoadResult } from '../results/load-result.js';
import type { LoadProgress } from '../engine/run-load.js';
import type { MediaCounters, MediaResult, MediaSummary } from '../results/media-stats.js';

/**
 * Renders what the engine measured; never measures. The progress line is written once a
 * second (over itself on a TTY); the table and JUnit once at the end.
 */
export function formatProgress(p: LoadProgress, previousAttempted: number): string {
  const c = p.counters;
  const setup = p.setupP50Ms === undefined ? '' : `  setup p50 ${ms(p.setupP50Ms)} p99 ${ms(p.setupP99Ms ?? 0)}`;
  return (
    `${(p.elapsedMs / 1000).toFixed(0).padStart(4)}s  rate ${String(c.attempted - previousAttempted).padStart(5)}/s  active ${String(c.active).padStart(5)}` +
    `  attempted ${c.attempted}  ok ${c.succeeded}  failed ${c.failed}  timeouts ${c.timeouts}  retrans ${c.retransmissions}${setup}${p.media ? liveMedia(p.media) : ''}`
  );
}

/** The live line's media part: verdicts so far and the loss over every stream ended so far. */
function liveMedia(m: MediaCounters): string {
  const loss = m.packetsExpected > 0 ? ((100 * m.packetsLost) / m.packetsExpected).toFixed(2) : '0.00';
  return `  media 2-way ${m.twoWay} 1-way ${m.oneWay} none ${m.noAudio} loss ${loss} %`;
}

/** The table's media block: verdicts, packets, per-direction loss, jitter and MOS, and the sender's |interval − 20 ms|. */
function mediaLines(m: MediaResult): string[] {
  const c = m.counters;
  const lines = [
    `  media      calls judged ${c.calls}  two-way ${c.twoWay}  one-way ${c.oneWay}  no audio ${c.noAudio}  (directions ${c.streams}, silent ${c.silentStreams}, wrong tone ${c.wrongTone})`,
    `  rtp        sent ${c.packetsSent} (${c.framesSkipped} frames skipped by a late sender)  received ${c.packetsReceived}  lost ${c.packetsLost} of ${c.packetsExpected} (${m.lossPercent} %)  stray ${c.strayPackets}  ports exhausted ${c.portsExhausted}`,
    '',
    `  ${'per direction*'.padEnd(16)}${['count', 'min', 'p5', 'p50', 'p95', 'p99', 'max', 'mean'].map((h) => h.padStart(10)).join('')}`,
  ];
  const row = (label: string, s: MediaSummary): string => `  ${label.padEnd(16)}${[String(s.count), ...[s.min, s.p5, s.p50, s.p95, s.p99, s.max, s.mean].map((v) => v.toFixed(2))].map((v) => v.padStart(10)).join('')}`;
  lines.push(row('loss (%)', m.summaries.rtp_loss), row('jitter (ms)', m.summaries.rtp_jitter), row('MOS', m.summaries.mos));
  lines.push(row('send jitter (ms)', m.summaries.send_jitter), '  * send jitter: per packet sent, |interval since the stream\'s previous packet − 20 ms|');
  return lines;
}

export function formatTable(r: LoadResult): string {
  const c = r.counters;
  const lines: string[] = [];
  const what = r.scenarioFile ? `${r.scenarioFile.id} (${r.scenarioFile.file})` : r.scenario;
  lines.push(`sipbots load: ${what} over ${r.transport} to ${r.proxy}, ${r.accounts} accounts, ${r.workers} thread(s)`);
  if (r.proxyLocated) lines.push(`  located    ${r.proxyLocated}`);
  lines.push(`  arrivals   ${r.arrivalS} s at ${r.cps}/s (${r.settings.arrival}, target ${r.settings.rate}/s); last call ended at ${r.runS} s`);
  const pct = c.attempted > 0 ? ((100 * c.failed) / c.attempted).toFixed(3) : '0';
  lines.push(`  outcome    attempted ${c.attempted}  succeeded ${c.succeeded}  failed ${c.failed} (${pct} %)  refused ${c.refused}  delayed ${c.delayed}`);
  lines.push(`  wire       INVITEs ${c.invites} (finals ${c.inviteFinals})  retransmissions ${c.retransmissions}  timeouts ${c.timeouts}  stray ${c.stray}  unreadable ${c.unparsable}`);
  // Plain code-unit order: localeCompare would load ICU collation data (~3 MB of RSS) for method names and codes.
  const statuses = Object.entries(c.statuses).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (statuses.length > 0) lines.push(`  statuses   ${statuses.map(([k, n]) => `${k}: ${n}`).join('  ')}`);
  const failures = Object.entries(c.failures).sort(([, a], [, b]) => b - a);
  if (failures.length > 0) lines.push(`  failures   ${failures.map(([k, n]) => `${k}: ${n}`).join('  ')}`);
  const refreshFailures = Object.entries(c.calleeRefreshFailures).sort(([, a], [, b]) => b - a);
  if (c.calleeRefreshes > 0 || refreshFailures.length > 0 || c.calleeIntervalTooBrief > 0) {
    const failed = refreshFailures.reduce((sum, [, n]) => sum + n, 0);
    const tooBrief = c.calleeIntervalTooBrief > 0 ? `  423 Interval Too Brief ${c.calleeIntervalTooBrief} (sent again asking for Min-Expires)` : '';
    const retryAfter = c.calleeRetryAfter > 0 ? `  Retry-After ${c.calleeRetryAfter} (the registrar asked to wait; waited, at most the binding's Expires)` : '';
    lines.push(`  callees    registrations refreshed ${c.calleeRefreshes}  refreshes failed ${failed}${refreshFailures.map(([k, n]) => `  ${k}: ${n}`).join('')}${tooBrief}${retryAfter}`);
  }
  lines.push('');
  lines.push(`  ${'latency (ms)'.padEnd(16)}${['count', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean'].map((h) => h.padStart(10)).join('')}`);
  const labels: Record<string, string> = { setup_180: 'INVITE→180', setup_200: 'INVITE→200', register: 'REGISTER', bye: 'BYE', options: 'OPTIONS', response: 'any request' };
  for (const [name, label] of Object.entries(labels)) {
    const s = r.latency[name];
    if (!s || s.count === 0) continue;
    lines.push(`  ${label.padEnd(16)}${row(s)}`);
  }
  if (r.media) lines.push('', ...mediaLines(r.media));
  if (r.interrupted) lines.push('  ended      interrupted (SIGINT/SIGTERM): arrivals stopped, calls hung up, callees unregistered');
  if (r.serverStopped) lines.push(`  ended      early: ${r.serverStopped.message}`);
  lines.push('');
  lines.push(`  cpu        ${(r.cpu.userS + r.cpu.systemS).toFixed(2)} s (${r.cpu.perThousandCallsS} s per 1,000 arrivals)  max RSS ${r.maxRssMb} MB`);
  for (const t of r.thresholds) lines.push(`  threshold  ${t.ok ? 'pass' : 'FAIL'}  ${t.expression}  (actual ${t.actual}${t.unit ? ' ' + t.unit : ''})`);
  return lines.join('\n') + '\n';
}

function row(s: LatencySummary): string {
  return [String(s.count), ms(s.p50_ms), ms(s.p90_ms), ms(s.p99_ms), ms(s.p999_ms), ms(s.max_ms), ms(s.mean_ms)].map((v) => v.padStart(10)).join('');
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(2);
}

/** JUnit XML: one testcase per threshold (a failed one carries the measured value), plus the run itself. */
export function renderLoadJunit(r: LoadResult): string {
  const failures = r.thresholds.filter((t) => !t.ok).length;
  // A run that did not go to its end is an error of its own, next to the thresholds.
  const ended = r.serverStopped ? { type: 'ServerStopped', message: r.serverStopped.message } : r.interrupted ? { type: 'Interrupted', message: 'run interrupted (SIGINT/SIGTERM) before it ended' } : undefined;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuite name="sipbots load" tests="${r.thresholds.length + (ended ? 1 : 0)}" failures="${failures}" errors="${ended ? 1 : 0}" skipped="0" time="${r.runS.toFixed(3)}" timestamp="${escapeXml(r.startedAt)}">`,
  );
  lines.push('  <properties>');
  for (const [name, value] of [
    ['scenario', r.scenarioFile ? r.scenarioFile.id : r.scenario],
    ...(r.scenarioFile ? [['scenario-file', r.scenarioFile.file]] : []),
    ['transport', r.transport],
    ['proxy', r.proxy],
    ...(r.proxyLocated ? [['proxy-located', r.proxyLocated]] : []),
    ['cps', String(r.cps)],
    ['attempted', String(r.counters.attempted)],
    ['failed', String(r.counters.failed)],
    ...(r.media
      ? [
          ['media-calls', String(r.media.counters.calls)],
          ['one-way-audio', String(r.media.counters.oneWay)],
          ['no-audio', String(r.media.counters.noAudio)],
          ['rtp-loss-percent', String(r.media.lossPercent)],
          ['mos-p5', String(r.media.summaries.mos.p5)],
        ]
      : []),
  ]) {
    lines.push(`    <property name="${name}" value="${escapeXml(value!)}"/>`);
  }
  lines.push('  </properties>');
  if (ended) {
    lines.push(`  <testcase classname="sipbots.load" name="run" time="${r.runS.toFixed(3)}">`);
    lines.push(`    <error message="${escapeXml(ended.message)}" type="${ended.type}"/>`);
    lines.push('  </testcase>');
  }
  for (const t of r.thresholds) {
    const open = `  <testcase classname="sipbots.load.thresholds" name="${escapeXml(t.expression)}" time="0"`;
    if (t.ok) lines.push(`${open}/>`);
    else {
      lines.push(`${open}>`);
      lines.push(`    <failure message="${escapeXml(`${t.expression} failed: actual ${t.actual}${t.unit ? ' ' + t.unit : ''}`)}" type="ThresholdFailed"/>`);
      lines.push('  </testcase>');
    }
  }
  lines.push(`  <system-out>${escapeXml(formatTable(r))}</system-out>`);
  lines.push('</testsuite>');
  return lines.join('\n') + '\n';
}

/** JUnit XML for a load that could not run at all (e.g. its callees could not register). */
export function renderLoadErrorJunit(error: { message: string; type: string }, startedAt: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="sipbots load" tests="1" failures="0" errors="1" skipped="0" time="0" timestamp="${escapeXml(startedAt)}">`,
    '  <testcase classname="sipbots.load" name="run" time="0">',
    `    <error message="${escapeXml(error.message)}" type="${escapeXml(error.type)}"/>`,
    '  </testcase>',
    '</testsuite>',
    '',
  ].join('\n');
}
