import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readMessagesJsonlFile } from '../../../src/capture/messages-jsonl.js';
import type { SipMessageEvent } from '../../../src/events/types.js';
import { tshark } from '../../capture/fixtures/tshark.js';

/** One message as a token: `out INVITE`, `in 200/BYE`. */
export function token(e: { direction?: string; method?: string; status?: number; cseq?: string }): string {
  return e.method ? `${e.direction} ${e.method}` : `${e.direction} ${e.status}/${e.cseq?.split(' ')[1]}`;
}

export async function capturedSip(dir: string): Promise<SipMessageEvent[]> {
  const events = await readMessagesJsonlFile(join(dir, 'messages.jsonl'));
  return events.filter((e): e is SipMessageEvent => e.type === 'sip');
}

/** What tshark dissects as SIP in the pcapng: one row per message (Call-ID, method or status, CSeq method). */
export function tsharkSip(dir: string): { callId: string; what: string }[] {
  const out = tshark(['-r', join(dir, 'signaling.pcapng'), '-Y', 'sip', '-T', 'fields', '-E', 'separator=|', '-e', 'sip.Call-ID', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.CSeq.method']);
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [callId = '', method = '', status = '', cseqMethod = ''] = line.split('|');
      return { callId, what: method || `${status}/${cseqMethod}` };
    });
}

/** The same messages, seen by tshark in the pcapng and by us in messages.jsonl (as multisets). */
export function expectPcapngMatchesJsonl(dir: string, sip: readonly SipMessageEvent[]): number {
  const fromTshark = tsharkSip(dir).map((m) => `${m.callId} ${m.what}`).sort();
  const fromJsonl = sip.map((e) => `${e.callId} ${e.method ?? `${e.status}/${e.cseq?.split(' ')[1]}`}`).sort();
  expect(fromTshark.length).toBe(sip.length);
  expect(fromTshark).toEqual(fromJsonl);
  return fromTshark.length;
}

/**
 * Every call of a run complete on both sides: the caller sent INVITE, ACK (to the 407 and to
 * the 200) and BYE and received 407, 180, 200 to INVITE and 200 to BYE; the callee received
 * INVITE, ACK and BYE and sent 180, 200 and 200 to BYE.
 */
export function expectEveryCallComplete(sip: readonly SipMessageEvent[], calls: number): void {
  const byCall = new Map<string, { caller: Set<string>; callee: Set<string> }>();
  for (const e of sip) {
    if (!e.callId || e.cseq?.endsWith('REGISTER')) continue;
    const side = /caller-\d+$/.test(e.party) ? 'caller' : /callee$/.test(e.party) ? 'callee' : undefined;
    if (!side) throw new Error(`unexpected party ${e.party}`);
    const entry = byCall.get(e.callId) ?? { caller: new Set<string>(), callee: new Set<string>() };
    entry[side].add(token(e));
    byCall.set(e.callId, entry);
  }
  expect(byCall.size).toBe(calls);
  for (const [callId, { caller, callee }] of byCall) {
    for (const t of ['out INVITE', 'in 407/INVITE', 'out ACK', 'in 180/INVITE', 'in 200/INVITE', 'out BYE', 'in 200/BYE']) expect(caller.has(t), `${callId} caller ${t}`).toBe(true);
    for (const t of ['in INVITE', 'out 180/INVITE', 'out 200/INVITE', 'in ACK', 'in BYE', 'out 200/BYE']) expect(callee.has(t), `${callId} callee ${t}`).toBe(true);
  }
}

export function readSummary<T = Record<string, unknown>>(dir: string): T {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as T;
}

/** A REGISTER or a response to one, as tshark dissects it (times in ms). */
export interface WireRegister {
  at: number;
  callId: string;
  cseq: number;
  method: string;
  status: string;
  expires: string;
  contact: string;
  minExpires: string;
}

/** Every REGISTER and response to one in the pcapng, as tshark dissects them. */
export function registersOnTheWire(dir: string): WireRegister[] {
  const fields = ['frame.time_epoch', 'sip.Call-ID', 'sip.CSeq.seq', 'sip.Method', 'sip.Status-Code', 'sip.Expires', 'sip.Contact', 'sip.Min-Expires'];
  const out = tshark(['-r', join(dir, 'signaling.pcapng'), '-Y', 'sip.CSeq.method == "REGISTER"', '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])]);
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [at = '', callId = '', cseq = '', method = '', status = '', expires = '', contact = '', minExpires = ''] = line.split('|');
      return { at: Number(at) * 1000, callId, cseq: Number(cseq), method, status, expires, contact, minExpires };
    });
}
