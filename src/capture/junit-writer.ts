import type { CaseResult, RunSummary } from '../scenario/result-types.js';
import { escapeXml } from './ladder-svg.js';

/**
 * JUnit XML for CI (the Surefire schema Jenkins, GitLab and GitHub reporters read): one
 * testsuite for the run, one testcase per case. A case that ran and saw the wrong flow is a
 * <failure> carrying the first difference and both flows; a case that could not run (error
 * set, no difference) is an <error>.
 */
export function renderJunit(summary: RunSummary): string {
  const failures = summary.cases.filter((c) => !c.passed && !isError(c)).length;
  const errors = summary.cases.filter((c) => !c.passed && isError(c)).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuite name="sipbots" tests="${summary.cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(summary.durationMs)}" timestamp="${escapeXml(summary.startedAt)}">`,
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
  if (summary.interrupted) lines.push('  <system-err>run interrupted before every case finished</system-err>');
  lines.push('</testsuite>');
  return lines.join('\n') + '\n';
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
