import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SipMessageEvent } from '../../src/events/types.js';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { failures, readJsonl, runLabJson } from '../support/lab-run.js';
import { tshark } from './fixtures/tshark.js';

/*
 * The acceptance check of the run folder's capture: every lab case run once over UDP with
 * tone RTP, then signaling.pcapng is read by tshark, the reference dissector, and compared
 * with messages.jsonl of the same run.
 */

const CHECKSUMS = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'];

/**
 * The final state Wireshark's Telephony > VoIP Calls gives each call of a case, in the order
 * the calls start. busy-in-call holds two: alice's answered call, then carol's rejected one.
 * The 407-challenged first INVITE shares its Call-ID with the retry, so it is not a call of
 * its own. VoIP Calls sees one Call-ID across both legs, so in no-answer-proxy-408 it sees
 * the proxy's CANCEL to bob (fr_inv_timer, RFC 3261 §16.8) before the 408 to alice: CANCELLED.
 */
const EXPECTED_CALLS: Record<string, VoipCallState[]> = {
  'no-answer': ['CANCELLED'],
  'no-answer-callee-408': ['REJECTED'],
  'no-answer-proxy-408': ['CANCELLED'],
  reject: ['REJECTED'],
  cancel: ['CANCELLED'],
  'answer-bye-caller': ['COMPLETED'],
  'answer-bye-callee': ['COMPLETED'],
  'busy-self': ['REJECTED'],
  'busy-in-call': ['COMPLETED', 'REJECTED'],
};

/**
 * The cases whose call carries a tone each way for seconds. busy-in-call's first call is
 * answered too, but alice hangs up within milliseconds of carol's 486: one packet or none.
 */
const TALKING = ['answer-bye-caller', 'answer-bye-callee'];

type VoipCallState = 'CALL SETUP' | 'RINGING' | 'IN CALL' | 'CANCELLED' | 'COMPLETED' | 'REJECTED';

interface SipRow {
  caseId: string;
  callId: string;
  source: string;
  destination: string;
  method: string;
  status: number | undefined;
  cseq: number;
  cseqMethod: string;
}

let dir: string;
let file: string;
let summary: RunSummary;
let sip: SipMessageEvent[];
let rows: SipRow[];
let rtpPorts: number[];

function count<T>(items: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

function sorted<T>(counts: Map<T, number>): Array<[T, number]> {
  return [...counts].sort(([a], [b]) => String(a).localeCompare(String(b)));
}

function caseOf(comment: string): string {
  return /case=(\S+)/.exec(comment)?.[1] ?? '-';
}

/**
 * tshark 4.0 has no `-z voip,calls` (VoIP Calls is a GUI dialog), so this replays the dialog's
 * SIP rules (sip_calls_packet in ui/voip_calls.c) over the fields tshark dissected. The
 * initial speaker is the first INVITE's source IP address.
 */
function voipCallState(messages: SipRow[]): VoipCallState {
  const first = messages.find((m) => m.method === 'INVITE');
  if (!first) throw new Error(`no INVITE in call ${messages[0]?.callId}`);
  let state: VoipCallState = 'CALL SETUP';
  let sipState: 'INVITE_SENT' | '200_REC' | 'CANCEL_SENT' = 'INVITE_SENT';
  let inviteCseq = first.cseq;
  for (const m of messages.slice(messages.indexOf(first))) {
    const fromSpeaker = m.source === first.source;
    if (m.status !== undefined) {
      if (m.cseq !== inviteCseq || m.destination !== first.source) continue;
      if (m.status >= 200 && m.status < 300 && sipState === 'INVITE_SENT') sipState = '200_REC';
      else if (m.status > 299 && sipState === 'INVITE_SENT') state = 'REJECTED';
    } else if (m.method === 'INVITE' && fromSpeaker) {
      inviteCseq = m.cseq;
      state = 'CALL SETUP';
    } else if (m.method === 'ACK' && m.cseq === inviteCseq && fromSpeaker && sipState === '200_REC' && state === 'CALL SETUP') {
      state = 'IN CALL';
    } else if (m.method === 'BYE') {
      state = 'COMPLETED';
    } else if (m.method === 'CANCEL' && m.cseq === inviteCseq && fromSpeaker && state === 'CALL SETUP') {
      state = 'CANCELLED';
      sipState = 'CANCEL_SENT';
    }
  }
  return state;
}

beforeAll(async () => {
  const run = await runLabJson(['--media', 'rtp']);
  expect(run.code, failures(run.summary)).toBe(0);
  ({ dir, summary } = run);
  file = join(dir, 'signaling.pcapng');
  sip = readJsonl(dir).filter((e) => e.type === 'sip') as unknown as SipMessageEvent[];
  rows = tshark(['-r', file, '-Y', 'sip', '-T', 'fields', '-E', 'occurrence=f', '-e', 'frame.comment', '-e', 'sip.Call-ID', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.CSeq.seq', '-e', 'sip.CSeq.method'])
    .trim()
    .split('\n')
    .map((line) => {
      const [comment = '', callId = '', source = '', destination = '', method = '', status = '', cseq = '', cseqMethod = ''] = line.split('\t');
      return { caseId: caseOf(comment), callId, source, destination, method, status: status ? Number(status) : undefined, cseq: Number(cseq), cseqMethod };
    });
  rtpPorts = [...new Set(sip.flatMap((e) => [...e.raw.matchAll(/^m=audio (\d+) /gm)].map((m) => Number(m[1]))))];
}, 90_000);

describe('a lab run\'s signaling.pcapng, as tshark reads it', () => {
  it('has valid IP and UDP checksums and nothing malformed', () => {
    const bad = tshark(['-r', file, ...CHECKSUMS, '-Y', '_ws.malformed || _ws.expert.group == 0x01000000 || _ws.expert.severity == error']);
    expect(bad.trim()).toBe('');
  });

  it('shows every SIP message of messages.jsonl once per party that saw it, with the same start line', () => {
    const lines = tshark(['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Request-Line', '-e', 'sip.Status-Line'])
      .trim()
      .split('\n')
      .map((l) => l.replace(/\t/g, '').trim());
    expect(sip.length).toBeGreaterThan(100);
    expect(sorted(count(lines))).toEqual(sorted(count(sip.map((e) => e.startLine ?? ''))));
  });

  it('puts each message on its party\'s interface, named in the packet comment', () => {
    const views = tshark(['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.comment']).trim().split('\n');
    const expected = sip.map((e) => `${e.party}\tparty=${e.party} case=${e.caseId ?? '-'} ${e.direction === 'out' ? 'sent' : 'received'}`);
    expect(views.map((v) => v.replace(/ SIP over .*$/, ''))).toEqual(expected);
  });

  it('counts the same requests and responses in -z sip,stat', () => {
    const stat = tshark(['-r', file, '-q', '-z', 'sip,stat']);
    expect(stat).toContain(`Number of SIP messages: ${sip.length}\n`);
    const methods = new Map([...stat.matchAll(/^\s+([A-Z]+)\s+:\s+(\d+) Packets/gm)].map((m) => [m[1]!, Number(m[2])]));
    const statuses = new Map([...stat.matchAll(/^\s+SIP (\d{3}) .*:\s+(\d+) Packets/gm)].map((m) => [Number(m[1]), Number(m[2])]));
    expect(sorted(methods)).toEqual(sorted(count(sip.filter((e) => e.method).map((e) => e.method!))));
    expect(sorted(statuses)).toEqual(sorted(count(sip.filter((e) => e.status !== undefined).map((e) => e.status!))));
  });

  it('flags as resent only the receivers\' copies and real retransmissions, never a first send', () => {
    // Wireshark keys SIP resends by addresses and CSeq, not by interface: the receiver's copy
    // of a message follows the sender's copy and is flagged; a sender's copy only when resent.
    const sentResends = tshark(['-r', file, '-Y', 'sip.resend == 1 && frame.comment contains " sent "']).trim();
    const retransmitted = sip.filter((e) => e.direction === 'out' && e.retransmission).length;
    expect(sentResends === '' ? 0 : sentResends.split('\n').length).toBe(retransmitted);
  });

  it('lists one VoIP call per case with its final state (two in busy-in-call)', () => {
    const calls = new Map<string, SipRow[]>();
    for (const row of rows.filter((r) => r.caseId !== '-' && r.cseqMethod !== 'REGISTER')) {
      calls.set(`${row.caseId} ${row.callId}`, [...(calls.get(`${row.caseId} ${row.callId}`) ?? []), row]);
    }
    const states: Record<string, VoipCallState[]> = {};
    for (const [key, messages] of calls) (states[key.split(' ')[0]!] ??= []).push(voipCallState(messages));
    expect(states).toEqual(EXPECTED_CALLS);
    for (const result of summary.cases) {
      const ids = new Set(rows.filter((r) => r.caseId === result.id && r.cseqMethod === 'INVITE').map((r) => r.callId));
      expect([...ids].sort(), result.id).toEqual([...new Set(result.callIds)].sort());
    }
  });

  it('decodes the tone streams as RTP on the SDP ports: one each way per answered call, none lost', () => {
    expect(rtpPorts.length).toBeGreaterThanOrEqual(2 * TALKING.length);
    const decodeAs = rtpPorts.flatMap((port) => ['-d', `udp.port==${port},rtp`]);
    const packets = tshark(['-r', file, ...decodeAs, '-Y', 'rtp', '-T', 'fields', '-e', 'frame.comment', '-e', 'rtp.ssrc', '-e', 'rtp.p_type'])
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const perStream = count(packets.map(([comment = '', ssrc = '']) => `${caseOf(comment)} ${ssrc}`));
    const streamsOf = (id: string) => [...perStream].filter(([key]) => key.startsWith(`${id} `));
    for (const id of TALKING) {
      expect(streamsOf(id), id).toHaveLength(2);
      for (const [stream, n] of streamsOf(id)) expect(n, stream).toBeGreaterThan(50); // 20 ms packets for 2 s
    }
    expect(streamsOf('busy-in-call').length).toBeLessThanOrEqual(2);
    expect(new Set([...perStream.keys()].map((k) => k.split(' ')[0]))).toEqual(new Set([...TALKING, ...(streamsOf('busy-in-call').length ? ['busy-in-call'] : [])]));
    expect(new Set(packets.map((p) => p[2]))).toEqual(new Set(['0'])); // PCMU, as negotiated in the lab

    // rtp,streams rows: times, addresses, SSRC, payload, packets, lost (%), deltas, jitter, "X" on problems
    const streams = tshark(['-r', file, ...decodeAs, '-q', '-z', 'rtp,streams'])
      .split('\n')
      .filter((l) => /0x[0-9A-F]{8}/.test(l));
    expect(streams).toHaveLength(perStream.size);
    for (const line of streams) {
      expect(/\s(-?\d+) \(-?[\d.]+%\)/.exec(line)?.[1], line).toBe('0');
      expect(line.trimEnd().endsWith(' X'), line).toBe(false);
    }
  });
});
