import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SipMessageEvent } from '../../src/events/types.js';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { failures, readJsonl, runLabJson } from '../support/lab-run.js';
import { LAB_CASE_IDS } from '../../src/lab/lab-cases.js';
import { sngrepCallList, sngrepDialogCount } from './fixtures/sngrep.js';
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
 * its own. In no-answer-proxy-408 the proxy's CANCEL to bob (fr_inv_timer, RFC 3261 §16.8)
 * comes from the proxy's address, not the caller's, so the 408 to alice decides: REJECTED.
 */
const EXPECTED_CALLS: Record<string, VoipCallState[]> = {
  'no-answer': ['CANCELLED'],
  'no-answer-callee-408': ['REJECTED'],
  'no-answer-proxy-408': ['REJECTED'],
  'no-answer-as-captured': ['CANCELLED'],
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
/** The bots' own loopback addresses in the lab (the proxy keeps 127.0.0.1). */
const PARTY_ADDRESSES = { alice: '127.0.1.1', bob: '127.0.1.2', carol: '127.0.1.3' };

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
/** One event per message on the wire: in the lab every party is recorded, so the sender's. */
let sent: SipMessageEvent[];
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
  sent = sip.filter((e) => e.direction === 'out');
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

  it('shows every SIP message of messages.jsonl once, as a tap on the wire, with the same start line', () => {
    const lines = tshark(['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Request-Line', '-e', 'sip.Status-Line'])
      .trim()
      .split('\n')
      .map((l) => l.replace(/\t/g, '').trim());
    expect(sent.length).toBeGreaterThan(100);
    expect(sorted(count(lines))).toEqual(sorted(count(sent.map((e) => e.startLine ?? ''))));
  });

  it('is read to the last packet by tcpdump (libpcap), one Ethernet interface', () => {
    const frames = tshark(['-r', file, '-T', 'fields', '-e', 'frame.interface_name']).trim().split('\n');
    expect(new Set(frames)).toEqual(new Set(['lo']));
    const dump = execFileSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).trim().split('\n');
    expect(dump).toHaveLength(frames.length);
    expect(dump.filter((line) => / UDP, length /.test(line) || /\.sip/.test(line)).length).toBeGreaterThanOrEqual(sent.length);
  });

  it('tells the parties apart by address: every SIP frame goes between two distinct ones, as Via, Contact and SDP say', () => {
    const pairs = rows.map((r) => `${r.source} > ${r.destination}`);
    expect(pairs.filter((p) => p.split(' > ')[0] === p.split(' > ')[1])).toEqual([]);
    expect(new Set(rows.flatMap((r) => [r.source, r.destination]))).toEqual(new Set(['127.0.0.1', ...Object.values(PARTY_ADDRESSES)]));
    for (const [party, address] of Object.entries(PARTY_ADDRESSES)) {
      const own = sent.filter((e) => e.party === party);
      const host = address.replace(/\./g, '\\.');
      expect(own.every((e) => e.local.address === address), party).toBe(true);
      for (const request of own.filter((e) => e.method)) expect(request.raw, party).toMatch(new RegExp(`^Via: SIP/2.0/UDP ${host}:\\d+`, 'm'));
      const contacts = own.filter((e) => /^Contact:/m.test(e.raw));
      expect(contacts.length, party).toBeGreaterThan(0);
      for (const message of contacts) expect(message.raw, party).toMatch(new RegExp(`^Contact: <sip:${party}@${host}:`, 'm'));
      for (const offer of own.filter((e) => e.raw.includes('\r\nv=0'))) expect(offer.raw, party).toContain(`\r\nc=IN IP4 ${address}\r\n`);
    }
    expect(sent.filter((e) => e.party === 'bob' && e.raw.includes('\r\nv=0')).length).toBeGreaterThan(0);
  });

  it('gives each party\'s view through its name in the frame comments', () => {
    // What Wireshark's `frame.comment contains "party=alice "` keeps, counted over one pass.
    const comments = tshark(['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'frame.comment']).trim().split('\n');
    for (const party of ['alice', 'bob', 'carol', 'proxy']) {
      expect(comments.filter((c) => c.includes(`party=${party} `)).length, party).toBe(sip.filter((e) => e.party === party).length);
    }
  });

  it('holds the dialogs sngrep lists, each with as many messages as messages.jsonl', async () => {
    const perCall = count(sent.map((e) => e.callId!));
    expect(sngrepDialogCount(file)).toBe(perCall.size);
    const dialogs = await sngrepCallList(file);
    expect(sorted(new Map(dialogs.map((d) => [d.callId, d.messages])))).toEqual(sorted(perCall));
    expect(dialogs.length).toBe(LAB_CASE_IDS.length + 1 + 3); // one call per case, two in busy-in-call, three registrations
  });

  it('counts the same requests and responses in -z sip,stat, resent only what was really sent again', () => {
    const stat = tshark(['-r', file, '-q', '-z', 'sip,stat']);
    expect(stat).toContain(`Number of SIP messages: ${sent.length}\n`);
    // Zero on a clean run; a starved machine may make a bot retransmit, and that shows.
    expect(stat).toContain(`Number of resent SIP messages: ${sent.filter((e) => e.retransmission).length}\n`);
    const methods = new Map([...stat.matchAll(/^\s+([A-Z]+)\s+:\s+(\d+) Packets/gm)].map((m) => [m[1]!, Number(m[2])]));
    const statuses = new Map([...stat.matchAll(/^\s+SIP (\d{3}) .*:\s+(\d+) Packets/gm)].map((m) => [Number(m[1]), Number(m[2])]));
    expect(sorted(methods)).toEqual(sorted(count(sent.filter((e) => e.method).map((e) => e.method!))));
    expect(sorted(statuses)).toEqual(sorted(count(sent.filter((e) => e.status !== undefined).map((e) => e.status!))));
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
