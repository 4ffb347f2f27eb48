import type { CaseResult, RunSummary } from '../scenario/result-types.js';
import { escapeXml } from './ladder-svg.js';

/**
 * JUnit XML for CI (the Surefire schema Jenkins, GitLab and GitHub reporters read): one
 * testsuite for the run, one testcase per case. A case that ran and saw the wrong flow is a
 * <failure> carrying the first difference and both flows; a case that could not run (error
 * set, no difference) is an <error>.
 */
export function renderJunit(summary: RunSummary): string {
  const expectations = summary.cases.flatMap((c) => Object.values(c.calls ?? {}).map((call) => ({ id: c.id, call })));
  const failures = summary.cases.filter((c) => !c.passed && !isError(c)).length + expectations.filter((e) => !e.call.passed).length;
  const errors = summary.cases.filter((c) => !c.passed && isError(c)).length;
  const skipped = summary.skipped ?? [];
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuite name="sipbots" tests="${summary.cases.length + expectations.length + skipped.length}" failures="${failures}" errors="${errors}" skipped="${skipped.length}" time="${seconds(summary.durationMs)}" timestamp="${escapeXml(summary.startedAt)}">`,
  );
  lines.push('  <properties>');
  const properties: [string, string][] = [
    ['server', summary.server],
    ['serverKind', summary.serverKind],
    ['transport', summary.transport],
    ['interrupted', String(summary.interrupted)],
  ];
  for (const [name, value] of properties) lines.push(`    <property name="${name}" value="${escapeXml(value)}"/>`);
  lines.push('  </properties>');
  for (const result of summary.cases) {
    const open = `  <testcase classname="sipbots.${escapeXml(summary.transport)}" name="${escapeXml(result.id)}" time="${seconds(result.durationMs)}"`;
    lines.push(...expectedCallCases(summary.transport, result));
    if (result.passed) {
      lines.push(`${open}/>`);
      continue;
    }
    lines.push(`${open}>`);
    const element = isError(result) ? 'error' : 'failure';
    const message = result.difference ?? result.error ?? 'case failed';
    const type = isError(result) ? 'CaseError' : 'FlowMismatch';
    lines.push(`    <${element} message="${escapeXml(message)}" type="${type}">${escapeXml(details(result))}</${element}>`);
    lines.push('  </testcase>');
  }
  for (const id of skipped) {
    lines.push(`  <testcase classname="sipbots.${escapeXml(summary.transport)}" name="${escapeXml(id)}" time="0"><skipped message="not run: --bail stopped the suite after a failure"/></testcase>`);
  }
  if (summary.interrupted) lines.push('  <system-err>run interrupted before every case finished</system-err>');
  lines.push('</testsuite>');
  return lines.join('\n') + '\n';
}

/** One testcase per expected incoming call (`expect.calls.<name>`), under its case's class. */
function expectedCallCases(transport: string, result: CaseResult): string[] {
  return Object.values(result.calls ?? {}).map((call) => {
    const open = `  <testcase classname="sipbots.${escapeXml(transport)}.${escapeXml(result.id)}" name="calls.${escapeXml(call.name)}" time="0"`;
    if (call.passed) return `${open}/>`;
    const observed = call.observed ? `\nobserved: ${call.observed.join(' ')}` : '';
    const expected = call.expected ? `\nexpected: ${call.expected.join(' ')}` : '';
    return `${open}>\n    <failure message="${escapeXml(call.difference ?? 'failed')}" type="ExpectedCall">${escapeXml(`${call.role} (${call.party})${expected}${observed}`)}</failure>\n  </testcase>`;
  });
}

function isError(result: CaseResult): boolean {
  return result.error !== undefined && result.difference === undefined;
}

function details(result: CaseResult): string {
  const lines = [`${result.title}`];
  if (result.difference) lines.push(`difference: ${result.difference}`);
  if (result.error) lines.push(`error: ${result.error}`);
  for (const [role, leg] of Object.entries(result.flows)) {
    lines.push(`${role} (${leg.party}) expected: ${leg.expected.join(' ')}`);
    lines.push(`${role} (${leg.party}) observed: ${leg.observed.join(' ')}`);
  }
  return lines.join('\n');
}
