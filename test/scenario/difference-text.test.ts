import { describe, expect, it } from 'vitest';
import { parseFlowPattern } from '../../src/config/flow-pattern.js';
import type { MediaStatsEvent, SipMessageEvent } from '../../src/events/types.js';
import { compareFlow } from '../../src/scenario/compare-flow.js';
import { differenceText } from '../../src/scenario/difference-text.js';
import { judgeMedia } from '../../src/scenario/judge-media.js';

const sip = (direction: 'in' | 'out', first: string, cseq: string): SipMessageEvent =>
  ({ type: 'sip', party: 'alice', direction, startLine: first, cseq, raw: '', at: 0, ...(first.startsWith('SIP/2.0') ? { status: Number(first.split(' ')[1]) } : { method: first.split(' ')[0] }) }) as SipMessageEvent;

const stats = (detectedHz: number | undefined): MediaStatsEvent =>
  ({ type: 'media-stats', party: 'bob', at: 0, callId: 'c', codec: 'PCMU', sent: { packets: 80, bytes: 0 }, received: { packets: 81, bytes: 0, lost: 0, outOfOrder: 0, duplicates: 0, jitterMs: 2, ...(detectedHz ? { detectedHz } : {}) } }) as MediaStatsEvent;

describe('the first difference under --lang zh', () => {
  const patterns = ['INVITE>', '<180', '<200/INVITE', 'ACK>'].map(parseFlowPattern);
  const cases: Array<[string, string | undefined]> = [
    ['a different message', compareFlow('caller', patterns, [sip('out', 'INVITE sip:bob@lab.test SIP/2.0', '2 INVITE'), sip('in', 'SIP/2.0 180 Ringing', '2 INVITE'), sip('in', 'SIP/2.0 486 Busy Here', '2 INVITE')])],
    ['a missing message', compareFlow('callee', patterns, [sip('out', 'INVITE sip:bob@lab.test SIP/2.0', '2 INVITE')])],
    ['one after the flow ended', compareFlow('caller', patterns.slice(0, 1), [sip('out', 'INVITE sip:bob@lab.test SIP/2.0', '2 INVITE'), sip('out', 'BYE sip:bob@lab.test SIP/2.0', '3 BYE')])],
    ['no tone', judgeMedia('callee', { hears: 440 }, 440, stats(undefined))],
    ['another tone', judgeMedia('callee', { hears: 440 }, 440, stats(1000))],
  ];

  it.each(cases)('%s is said in Chinese, message names and statuses kept', (_name, english) => {
    expect(english).toBeDefined();
    const zh = differenceText(english!, 'zh');
    expect(zh).not.toMatch(/\b(expected|saw|leg|after|heard|unexpected|nothing)\b/);
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
    expect(differenceText(english!, 'en')).toBe(english);
  });

  it('keeps the message and status as on the wire', () => {
    expect(differenceText(cases[0]![1]!, 'zh')).toBe('主叫一侧在 <180 之后应有 <200/INVITE，实际是收到的 486 Busy Here (INVITE)');
    expect(differenceText(cases[3]![1]!, 'zh')).toBe('被叫应听到 440 Hz，却没有听到音调（81 个 RTP 包）');
  });

  it('leaves a sentence of an unknown form in English rather than half translated', () => {
    expect(differenceText('something new went wrong', 'zh')).toBe('something new went wrong');
  });
});
