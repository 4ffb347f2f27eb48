import { describe, expect, it } from 'vitest';
import { LAB_CASE_IDS, classifyStep, explainCase } from '../../src/capture/explanations.js';
import { buildLadder } from '../../src/capture/ladder-model.js';
import { escapeXml } from '../../src/capture/ladder-svg.js';
import { renderReport } from '../../src/capture/report.js';
import type { MediaStatsEvent } from '../../src/events/types.js';
import { fullCallEvents, T0 } from './fixtures/call-events.js';
import { labSummary } from './fixtures/run-summary.js';

const media: MediaStatsEvent = {
  type: 'media-stats',
  at: T0 + 3000,
  party: 'alice',
  caseId: 'answer-bye-callee',
  callId: 'call-1@127.0.0.1',
  codec: 'PCMU/8000',
  sent: { packets: 150, bytes: 25800, toneHz: 440 },
  received: { packets: 148, bytes: 25456, lost: 2, outOfOrder: 0, duplicates: 0, jitterMs: 1.25, mos: 4.31, detectedHz: 880.4 },
};
const events = () => [...fullCallEvents(), media];

describe('renderReport', () => {
  it.each(['en', 'zh'] as const)('renders every lab case in %s without network resources', (lang) => {
    const { html, md } = renderReport(labSummary(), events(), { lang });
    for (const id of LAB_CASE_IDS) {
      expect(html).toContain(`id="case-${id}"`);
      expect(html).toContain(escapeXml(explainCase(id, lang)!));
      expect(md).toContain(`## ${id} — `);
    }
    expect(html).not.toMatch(/https?:\/\//);
    // Only same-document references (marker-end="url(#…)") are allowed.
    expect(html).not.toMatch(/<script|<link|<img|@import|url\((?!#)|src=/);
    expect(html).toContain('<svg ');
    expect(html).toContain('<details><summary>');
    expect(html).toContain('<tr class="first-diff"');
    expect(md).toContain('```mermaid');
  });

  it('shows media figures, explanations of the 407 dance and both kinds of ACK', () => {
    const { html } = renderReport(labSummary(), events(), { lang: 'en' });
    const section = html.slice(html.indexOf('id="case-answer-bye-callee"'), html.indexOf('id="case-busy-self"'));
    expect(section).toContain('<td>148</td>');
    expect(section).toContain('<td>2 (1.3 %)</td>');
    expect(section).toContain('<td>4.31</td>');
    expect(section).toContain('<td>880</td>');
    expect(section).toContain('borrowed this Digest');
    expect(section).toContain('hop by hop');
    expect(section).toContain('end to end');
    expect(section).toContain('Session-Expires / Min-SE');
    expect(section).toContain('a=rtpmap');
  });

  it('shows a banner when the run was interrupted', () => {
    expect(renderReport(labSummary(true), [], { lang: 'en' }).html).toContain('class="banner"');
    expect(renderReport(labSummary(true), [], { lang: 'zh' }).md).toContain('本次运行被中断');
    expect(renderReport(labSummary(false), [], { lang: 'en' }).html).not.toContain('class="banner"');
  });

  it('classifies the ACK to 407 as hop by hop and the ACK to 200 as end to end', () => {
    const ladder = buildLadder(fullCallEvents(), { callIds: ['call-1@127.0.0.1'] });
    const kinds = ladder.arrows.map((a, i) => classifyStep(a, ladder.arrows.slice(0, i)));
    expect(kinds.slice(0, 4)).toEqual(['invite', 'challenge-407', 'ack-non2xx', 'invite-auth']);
    expect(kinds).toContain('ack-2xx');
    expect(kinds.slice(-2)).toEqual(['ok-bye', 'ok-bye']);
  });
});

describe('flowRows', () => {
  it('matches an optional step that happened, leaves one that did not alone, and marks no difference', async () => {
    const { flowRows } = await import('../../src/capture/report-model.js');
    const rows = flowRows(['INVITE>', '<100?', '<407', '<100?', '<180'], ['INVITE>', '<100', '<407', '<180']);
    expect(rows.map((r) => [r.expected, r.observed ?? ''])).toEqual([['INVITE>', 'INVITE>'], ['<100?', '<100'], ['<407', '<407'], ['<100?', ''], ['<180', '<180']]);
    expect(rows.some((r) => r.differs)).toBe(false);
  });

  it('marks the first real mismatch and every later one, and observed steps past the end', async () => {
    const { flowRows } = await import('../../src/capture/report-model.js');
    const rows = flowRows(['INVITE>', '<486', 'ACK>'], ['INVITE>', '<200', 'ACK>', 'BYE>']);
    expect(rows.map((r) => (r.first ? 'first' : r.differs ? 'differs' : 'same'))).toEqual(['same', 'first', 'same', 'differs']);
  });
});
