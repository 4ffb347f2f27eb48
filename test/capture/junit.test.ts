import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/capture/junit-writer.js';
import { LAB_CASE_IDS } from '../../src/lab/lab-cases.js';
import { labSummary } from './fixtures/run-summary.js';

describe('renderJunit', () => {
  it('writes one testsuite with one testcase per case and the difference as the failure', () => {
    const xml = renderJunit(labSummary());
    expect(xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="sipbots" tests="${LAB_CASE_IDS.length}" failures="1" errors="1" `)).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(LAB_CASE_IDS.length);
    expect(xml).toContain('<failure message="caller: expected &lt;486 at step 7, saw &lt;200" type="FlowMismatch">');
    expect(xml).toContain('caller (alice) expected: INVITE&gt; &lt;407');
    expect(xml).toContain('<error message="bob never registered: 403 Forbidden" type="CaseError">');
    expect(xml).toContain(`<testcase classname="sipbots.udp" name="cancel" time="${(1000 + LAB_CASE_IDS.indexOf('cancel')) / 1000}"/>`);
  });

  it('records an interrupted run', () => {
    expect(renderJunit(labSummary(true))).toContain('<property name="interrupted" value="true"/>');
  });
});
