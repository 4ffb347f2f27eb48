import { describe, expect, it } from 'vitest';
import { parseFlowPattern } from '../../src/config/flow-pattern.js';
import type { MediaStatsEvent, SipMessageEvent } from '../../src/events/types.js';
import { compareFlow } from '../../src/scenario/compare-flow.js';
import { differenceText, findingText } from '../../src/scenario/difference-text.js';
import { judgeHeaders } from '../../src/scenario/judge-headers.js';
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
    expect(differenceText('message from caller (alice) to callee: something new went wrong', 'zh')).toBe('message from caller (alice) to callee: something new went wrong');
    expect(differenceText('a new step did not complete within 5 s', 'zh')).toBe('a new step did not complete within 5 s');
  });
});

/** Three ASCII words in a row, once values in quotes or slashes are taken out: English left in a Chinese line. */
const english = (text: string): string[] => text.replace(/"[^"]*"|\/[^/]*\//g, '').match(/[A-Za-z]+(?: [A-Za-z]+){2,}/g) ?? [];

describe('the other differences the judges and steps write, under --lang zh', () => {
  const invite = (raw: string): SipMessageEvent => ({ ...sip('in', 'INVITE sip:bob@lab.test SIP/2.0', '1 INVITE'), party: 'bob', raw });
  const withHeader = invite('INVITE sip:bob@lab.test SIP/2.0\r\nCSeq: 1 INVITE\r\nX-Run: 7\r\n\r\n');
  const header = (check: Parameters<typeof judgeHeaders>[0][number]['check']) => judgeHeaders([{ role: 'callee', message: '<INVITE', method: 'INVITE', header: 'X-Run', check }], { caller: 'alice', callee: 'bob' }, [withHeader])[0];
  const early = (beforeAnswer: MediaStatsEvent['received']['beforeAnswer']) =>
    judgeMedia('caller', { hearsBeforeAnswer: 440 }, undefined, { ...stats(440), received: { ...stats(440).received, ...(beforeAnswer ? { beforeAnswer } : {}) } } as MediaStatsEvent, 440);
  const sentences: Array<[string, string | undefined]> = [
    ['early media, never answered', early(undefined)],
    ['early media, nothing before the 200', early({ packets: 0 } as never)],
    ['early media, no tone', early({ packets: 50 } as never)],
    ['early media, another tone', early({ packets: 50, detectedHz: 1000 } as never)],
    ['a header expected absent', header({ kind: 'absent' })],
    ['a header of another value', header({ kind: 'equals', text: '8' })],
    ['a header not matching', header({ kind: 'matches', pattern: '^9' })],
    ['a header on a message never received', judgeHeaders([{ role: 'callee', message: '<MESSAGE', method: 'MESSAGE', header: 'X-Run', check: { kind: 'present' } }], { caller: 'alice', callee: 'bob' }, [withHeader])[0]],
    ['an expected call that never came', 'expected call incoming: callee (bob) received no call from anyone within 5 s'],
    ['an expected call that came late', 'expected call incoming arrived after 6.2 s, later than within 5 s'],
    ['an expected call ended otherwise', 'expected call incoming: expected callee to end it with 486, it ended with 200 OK'],
    ['an expected call of another outcome', 'expected call incoming: expected it rejected, it was answered (200 OK)'],
    ['a flow of an expected call', 'expected <180 on the callee (expected call incoming) leg after <INVITE, saw nothing'],
    ['a MESSAGE answered otherwise', 'message from caller (alice) to callee: expected 200 or 202, got 404 Not Found'],
    ['a register refused', 'register of caller (alice) with the given password: expected 403, got 200 OK'],
    ['a subscribe refused', 'subscribe presence by caller (alice) to callee: expected 200 or 202, got 489 Bad Event'],
    ['a reinvite without a call', 'reinvite by caller (alice) offering sendonly: no connected call'],
    ['an await that timed out', 'await: call main did not reach confirmed within 5 s (it is terminated, 486 Busy Here)'],
    ['a SUBSCRIBE never answered', 'subscribe presence by caller (alice) to callee: no final response to the SUBSCRIBE within 5 s'],
    ['a NOTIFY body that does not match', 'subscribe presence by caller (alice) to callee: the NOTIFY body does not match /<basic>open/: <basic>closed</basic>'],
    ['a REFER refused', 'transfer by callee (bob) to carol: the REFER was answered 403 Forbidden'],
    ['an attended transfer left up', 'attended transfer by caller (alice) of first to the far end of consult: consult was not ended by its far end after the transfer (no BYE) within 5 s'],
    ['a reinvite answered without SDP', 'reinvite by caller (alice): the 200 carries no SDP answer (RFC 3264 §4)'],
    ['an answer of another direction', 'update by callee (bob) offering sendonly: expected the answer to say a=recvonly, it says a=inactive'],
    ['a MESSAGE body not received', 'message from caller (alice) to callee: bob received only "hi", not "hello"'],
    ['hold without a call', 'hold: caller (alice) has no connected call'],
    ['dtmf that did not complete', 'dtmf 123 by caller (alice) did not complete within 5 s'],
    ['a MESSAGE never answered', 'message from caller (alice) to callee got no final response within 5 s'],
    ['a role naming a missing bot', 'role callee names bot dave, which is not in the bots file'],
    ['nothing to judge', 'nothing to judge: no call step, no expected call (expect.calls), no request step and no expect.headers'],
  ];

  it.each(sentences)('%s: no English left, names and values kept', (_name, text) => {
    expect(text).toBeDefined();
    const zh = differenceText(text!, 'zh');
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
    expect(english(zh), zh).toEqual([]);
    expect(zh).not.toBe(text);
  });

  it('keeps statuses, header names and the expected values as written', () => {
    expect(differenceText(header({ kind: 'equals', text: '8' })!, 'zh')).toBe('expect.headers：被叫（bob）<INVITE X-Run：应为 "8"，实际是 "7"');
    expect(differenceText('message from caller (alice) to callee: expected 200 or 202, got 404 Not Found', 'zh')).toBe('主叫（alice）发往 被叫 的 message：应为 200 或 202，实际是 404 Not Found');
  });
});

describe('what a bot accepted though a rule was bent, under --lang zh', () => {
  it.each([
    ['180 without a To tag (RFC 3261 §12.1: no early dialog); taken as progress', '180 没有 To tag（RFC 3261 §12.1：不建立早期对话）；当作进展处理'],
    ['183 without a Contact (RFC 3261 §12.1.1 requires one); taken as ringing', '183 没有 Contact（RFC 3261 §12.1.1 要求有）；当作振铃处理'],
    [
      '200 OK came after the call had ended with 408 Request Timeout (the callee answered as the INVITE ended): ACKed and hung up with BYE (RFC 3261 §13.2.2.4)',
      '200 OK 在呼叫以 408 Request Timeout 结束之后才到达（被叫在 INVITE 结束的同时应答）：已回 ACK 并用 BYE 挂断（RFC 3261 §13.2.2.4）',
    ],
  ])('%s', (text, zh) => {
    expect(findingText(text, 'zh')).toBe(zh);
    expect(findingText(text, 'en')).toBe(text);
  });
});
