import { describe, expect, it } from 'vitest';
import { buildLadder } from '../../src/capture/ladder-model.js';
import { renderLadderMermaid } from '../../src/capture/ladder-mermaid.js';
import { renderLadderSvg } from '../../src/capture/ladder-svg.js';
import { renderLadderText } from '../../src/capture/ladder-text.js';
import { encodePcapng } from '../../src/capture/pcapng-encoder.js';
import { readSipCapture } from '../../src/capture/pcap-reader.js';
import { namePartiesByUser } from '../../src/capture/ladder-names.js';
import { fullCallEvents, hop, sip, T0 } from './fixtures/call-events.js';

const columns = ['alice', 'proxy', 'bob'];

describe('ladder model', () => {
  it('draws one arrow per message although sender and receiver both recorded it', () => {
    const ladder = buildLadder(fullCallEvents(), { columns, callIds: ['call-1@127.0.0.1'] });
    expect(ladder.columns).toEqual(columns);
    expect(ladder.arrows.map((a) => `${a.from}>${a.to} ${a.caption}`).slice(0, 6)).toEqual([
      'alice>proxy INVITE',
      'proxy>alice 407 Proxy Authentication Required',
      'alice>proxy ACK',
      'alice>proxy INVITE',
      'proxy>alice 100 Trying',
      'proxy>bob INVITE',
    ]);
    expect(ladder.arrows).toHaveLength(16);
    expect(ladder.arrows.every((a) => a.views.length === 2)).toBe(true);
    expect(ladder.arrows[1]!.offsetMs).toBe(2);
  });

  it('marks the second copy of the same bytes as a retransmission (the callee answering the copied INVITE with 180 again)', () => {
    const invite = sip(['INVITE sip:bob@127.0.0.1:5080 SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKp9', 'Call-ID: r1', 'CSeq: 1 INVITE']);
    const ringing = sip(['SIP/2.0 180 Ringing', 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKp9', 'Call-ID: r1', 'CSeq: 1 INVITE']);
    const events = [
      ...hop({ at: T0, from: 'proxy', to: 'bob', raw: invite }, 'reject'),
      ...hop({ at: T0 + 500, from: 'proxy', to: 'bob', raw: invite, retransmission: true }, 'reject'),
      ...hop({ at: T0 + 600, from: 'bob', to: 'proxy', raw: ringing }, 'reject'),
      ...hop({ at: T0 + 700, from: 'bob', to: 'proxy', raw: ringing }, 'reject'),
    ];
    const ladder = buildLadder(events, { caseId: 'reject' });
    expect(ladder.arrows.map((a) => a.caption)).toEqual(['INVITE', 'INVITE [retx]', '180 Ringing', '180 Ringing [retx]']);
  });

  it('names a capture endpoint after a user only where that user\'s REGISTER binds it', () => {
    const { messages } = readSipCapture(encodePcapng(fullCallEvents()));
    const call = messages.filter((m) => m.callId === 'call-1@127.0.0.1');
    // From and To say whom a call is for, not who sent a packet: without a REGISTER, addresses.
    expect(buildLadder(call, { names: namePartiesByUser(messages) }).columns).toEqual(['127.0.0.1:5070', '127.0.0.1:5060', '127.0.0.1:5080']);
    const register = (from: 'alice' | 'proxy', contact: string, vias: number) =>
      hop({
        at: T0 - 1000 + vias,
        from,
        to: from === 'alice' ? 'proxy' : 'bob',
        raw: sip([
          'REGISTER sip:lab.test SIP/2.0',
          ...Array.from({ length: vias }, (_v, i) => `Via: SIP/2.0/UDP 127.0.0.1:${i === 0 ? 5060 : 5070};branch=z9hG4bKr${vias}${i}`),
          'From: <sip:alice@lab.test>;tag=r',
          'To: <sip:alice@lab.test>',
          `Call-ID: reg-${vias}`,
          'CSeq: 1 REGISTER',
          `Contact: <sip:alice@${contact}>`,
        ]),
      });
    // alice binds 127.0.0.1:5070; the proxy relaying it (two Vias, alice's Contact) binds nothing.
    const withRegister = readSipCapture(encodePcapng([...register('alice', '127.0.0.1:5070', 1), ...register('proxy', '127.0.0.1:5070', 2), ...fullCallEvents()])).messages;
    const names = namePartiesByUser(withRegister);
    expect(Object.fromEntries(names)).toEqual({ '127.0.0.1:5070': 'alice' });
    expect(buildLadder(withRegister.filter((m) => m.callId === 'call-1@127.0.0.1'), { names }).columns).toEqual(['alice', '127.0.0.1:5060', '127.0.0.1:5080']);
    // A Contact elsewhere (alice registering a phone behind NAT from this box) binds nothing.
    expect(namePartiesByUser(readSipCapture(encodePcapng(register('alice', '192.0.2.7:5060', 1))).messages).size).toBe(0);
  });
});

describe('ladder renderers are byte-stable', () => {
  const ladder = () => buildLadder(fullCallEvents(), { columns });

  it('text', async () => {
    await expect(renderLadderText(ladder())).toMatchFileSnapshot('./golden/full-call.txt');
  });
  it('text with colour', async () => {
    const text = renderLadderText(ladder(), { color: true });
    expect(text).toContain('\x1b[31m');
    await expect(text).toMatchFileSnapshot('./golden/full-call.ansi');
  });
  it('mermaid', async () => {
    await expect(renderLadderMermaid(ladder())).toMatchFileSnapshot('./golden/full-call.mmd');
  });
  it('svg', async () => {
    const svg = renderLadderSvg(ladder(), { title: 'full call' });
    expect(svg).not.toMatch(/<script|href="http/);
    await expect(svg).toMatchFileSnapshot('./golden/full-call.svg');
  });
  it('an empty ladder renders without throwing', () => {
    const empty = buildLadder([]);
    expect(renderLadderText(empty)).toBe('(no SIP messages)\n');
    expect(renderLadderMermaid(empty)).toBe('sequenceDiagram\n');
    expect(renderLadderSvg(empty)).toContain('</svg>');
  });
});
