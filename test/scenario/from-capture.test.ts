import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSipCaptureFile } from '../../src/capture/pcap-reader.js';
import { loadScenarioFile } from '../../src/config/load-scenario.js';
import type { Scenario, ScenarioStep } from '../../src/config/scenario-types.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { CaptureScenarioError } from '../../src/scenario/from-capture/captured-call.js';
import { scenariosFromCapture } from '../../src/scenario/from-capture/from-capture.js';
import { renderBotsYaml, renderScenarioYaml } from '../../src/scenario/from-capture/scenario-yaml.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { classicPcap, ethernetFrame } from '../capture/fixtures/classic-pcap.js';
import { udpPacket } from '../../src/capture/packet-headers.js';
import { runCli } from '../support/run-cli.js';

/*
 * The lab's own capture (fixtures/lab-udp-signaling.pcapng: `sipbots lab --media none`, every
 * case, the embedded proxy over UDP) read back into scenarios: each must say what the lab case
 * that made it says, the legs token for token, loaded through the real scenario schema.
 */
const FIXTURE = join(import.meta.dirname, 'fixtures/lab-udp-signaling.pcapng');
const LAB = join(import.meta.dirname, '../../scenarios/lab');
const CASES = ['no-answer', 'no-answer-callee-408', 'no-answer-proxy-408', 'no-answer-as-captured', 'reject', 'cancel', 'answer-bye-caller', 'answer-bye-callee', 'busy-self', 'busy-in-call'];

let messages: SipMessageEvent[] = [];
const dir = mkdtempSync(join(tmpdir(), 'sipbots-from-capture-'));

beforeAll(async () => {
  messages = (await readSipCaptureFile(FIXTURE)).messages;
});

async function generated(caseId: string): Promise<{ scenario: Scenario; yaml: string; bots: string }> {
  const [inferred] = scenariosFromCapture(messages, { caseId, time: 'real', source: 'lab-udp-signaling.pcapng' });
  const file = join(dir, `${caseId}.yaml`);
  const yaml = renderScenarioYaml(inferred!, 'lab-udp-signaling.pcapng', 'bots.yaml', file);
  writeFileSync(file, yaml);
  return { scenario: await loadScenarioFile(file, {}), yaml, bots: renderBotsYaml(inferred!, 'lab-udp-signaling.pcapng') };
}

/** Steps with roles replaced by the bots that play them, so `other` and `alice` compare equal. */
function stepsByBot(scenario: Scenario): unknown[] {
  const bot = (role: string) => scenario.roles[role] ?? role;
  return scenario.steps.map((step: ScenarioStep) => {
    if (step.kind === 'call') return { ...step, name: undefined, from: bot(step.from), to: step.to.kind === 'role' ? bot(step.to.role) : step.to.uri };
    if (step.kind === 'hangup') return { ...step, role: bot(step.role) };
    return step;
  });
}

function legsText(scenario: Scenario): Record<string, string[]> {
  return Object.fromEntries(Object.entries(scenario.expect.legs).map(([role, leg]) => [role, leg.map((p) => p.text)]));
}

describe('scenario from-capture on the lab capture', () => {
  for (const caseId of CASES) {
    it(`${caseId}: the same legs, outcome, callee behaviour, proxy settings and steps as the lab case`, async () => {
      const original = await loadScenarioFile(join(LAB, `${caseId}.yaml`), {});
      const { scenario } = await generated(caseId);
      expect(legsText(scenario)).toEqual(legsText(original));
      expect([scenario.expect.outcome, scenario.expect.status]).toEqual([original.expect.outcome, original.expect.status]);
      expect(scenario.roles.caller).toBe(original.roles.caller);
      expect(scenario.roles.callee).toBe(original.roles.callee);
      expect(scenario.behaviour.callee).toEqual(original.behaviour.callee);
      expect(scenario.proxy).toEqual(original.proxy);
      expect(stepsByBot(scenario)).toEqual(stepsByBot(original));
    });
  }

  it('says in its header which messages each inference came from, and lists what it cannot reproduce', async () => {
    const { yaml } = await generated('no-answer-proxy-408');
    expect(yaml).toMatch(/^# {3}main: a CANCEL the caller never sent reached callee at \+\d+\.\d{3} s, 3\.0\d\d s after its first provisional -> proxy\.inviteTimeout$/m);
    expect(yaml).toMatch(/^# {3}main: caller got 408 at \+\d+\.\d{3} s -> expect\.status and outcome$/m);
    expect(yaml).toMatch(/^# {3}main: INVITE at \+\d+\.\d{3} s \(Call-ID \S+\) from 127\.0\.1\.1:\d+ via 127\.0\.0\.1:\d+ to 127\.0\.1\.2:\d+: From user alice plays role caller, To user bob role callee$/m);
    const self = await generated('busy-self');
    expect(self.yaml).toMatch(/^# Not reproduced:\n# {3}- call \S+ is a self-call .*only the caller's leg is compared$/m);
  });

  it('writes a bots file with ${VAR} password placeholders that loads once the variables are set', async () => {
    const { bots } = await generated('busy-in-call');
    const file = join(dir, 'bots.yaml');
    writeFileSync(file, bots);
    expect(bots).toContain('password: ${CAROL_PASSWORD}');
    await expect(loadBotsFile(file, {})).rejects.toThrow(/CAROL_PASSWORD/);
    const loaded = await loadBotsFile(file, { ALICE_PASSWORD: 'a', BOB_PASSWORD: 'b', CAROL_PASSWORD: 'c' });
    expect([...loaded.bots.values()].map((b) => `${b.name}:${b.user}@${b.domain}:${b.password}`).sort()).toEqual(['alice:alice@lab.test:a', 'bob:bob@lab.test:b', 'carol:carol@lab.test:c']);
  });

  it('--time compact squeezes waits longer than 2 s, keeps shorter ones', () => {
    const [real] = scenariosFromCapture(messages, { caseId: 'no-answer-proxy-408', time: 'real', source: 'x' });
    const [compact] = scenariosFromCapture(messages, { caseId: 'no-answer-proxy-408', time: 'compact', source: 'x' });
    expect(real!.proxy.inviteTimeoutMs).toBe(3000);
    expect(compact!.proxy.inviteTimeoutMs).toBe(2100);
    const [reject] = scenariosFromCapture(messages, { caseId: 'reject', time: 'compact', source: 'x' });
    expect(reject!.behaviour.callee).toEqual({ onInvite: 'reject', ringForMs: 1000, rejectWith: 486 });
  });

  it('--all gives one scenario per call, --call one call', () => {
    const all = scenariosFromCapture(messages, { caseId: 'busy-in-call', calls: 'all', time: 'real', source: 'x' });
    expect(all.map((s) => [s.roles.caller, s.roles.callee, s.expect.status])).toEqual([
      ['alice', 'bob', 200],
      ['carol', 'bob', 486],
    ]);
    const callId = messages.find((m) => m.caseId === 'reject' && m.method === 'INVITE')!.callId!;
    const one = scenariosFromCapture(messages, { calls: { callId }, time: 'real', source: 'x' });
    expect(one).toHaveLength(1);
    expect(one[0]!.expect.status).toBe(486);
    expect(() => scenariosFromCapture(messages, { calls: { callId: 'nope' }, time: 'real', source: 'x' })).toThrow(/no INVITE call with Call-ID nope/);
  });

  it('lists what it cannot reproduce (SRTP, a codec bots do not speak, INFO other than DTMF) and plays a re-INVITE to hold as a hold step, INFO DTMF as an info step', () => {
    const call = messages.filter((m) => m.caseId === 'answer-bye-caller');
    const invite = call.findIndex((m) => m.method === 'INVITE');
    const ack = call.findIndex((m, i) => m.method === 'ACK' && i > 8);
    const edited = call.map((m, i) =>
      i === invite ? { ...m, raw: m.raw.replace('m=audio 9 RTP/AVP 0 8 101', 'm=audio 9 RTP/SAVP 18 0 101').replace('a=rtpmap:0 PCMU/8000', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x\r\na=rtpmap:18 G729/8000\r\na=rtpmap:0 PCMU/8000') } : m,
    );
    const caller = call[invite]!;
    const inDialog = { ...call[ack]!, at: call[ack]!.at + 100, branch: 'z9hG4bK-info' };
    // INFO with a digit (application/dtmf-relay) is played as an info step; other INFO is listed.
    const info = (cseq: number, type: string, body: string) => call[ack]!.raw.replace(/^ACK/, 'INFO').replace(/CSeq: \d+ ACK/, `CSeq: ${cseq} INFO`).replace(/^Content-Length: \d+\r\n/m, `Content-Type: ${type}\r\nContent-Length: ${body.length}\r\n`) + body;
    edited.push({ ...inDialog, method: 'INFO', raw: info(9, 'application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n'), cseq: '9 INFO', startLine: 'INFO x SIP/2.0' });
    edited.push({ ...inDialog, at: inDialog.at + 2, branch: 'z9hG4bK-info2', method: 'INFO', raw: info(11, 'application/x-broadsoft-call-info', 'x=1\r\n'), cseq: '11 INFO', startLine: 'INFO x SIP/2.0' });
    const holdSdp = 'v=0\r\nm=audio 9 RTP/AVP 0\r\na=sendonly\r\n';
    const holdHead = caller.raw.split('\r\n\r\n')[0]!.replace(/^(To: .*)$/m, '$1;tag=held').replace(/^Content-Length: \d+$/m, `Content-Length: ${holdSdp.length}`);
    edited.push({ ...inDialog, at: inDialog.at + 1, method: 'INVITE', raw: `${holdHead}\r\n\r\n${holdSdp}`, cseq: '10 INVITE', branch: 'z9hG4bK-hold' });
    const [scenario] = scenariosFromCapture(edited.sort((a, b) => a.at - b.at), { time: 'real', source: 'x' });
    expect(scenario!.inferences).toContainEqual('main: codecs offered: G729, PCMU, telephone-event');
    const notes = scenario!.notReproduced.join('\n');
    expect(notes).toMatch(/^SRTP offered in the INVITE at \+\d+\.\d{3} s/m);
    expect(notes).toMatch(/^codecs offered at .* that sipbots does not speak: G729 /m);
    expect(notes.match(/^INFO at .*$/gm)).toEqual([expect.stringMatching(/^INFO at \+\d+\.\d{3} s \(call [^,]+\): not played$/)]);
    expect(scenario!.steps).toContainEqual({ kind: 'info', role: 'caller', digits: '5' });
    expect(notes).not.toMatch(/re-INVITE/);
    expect(scenario!.steps).toContainEqual({ kind: 'hold', role: 'caller', hold: true });
    expect(scenario!.steps.at(0)).toMatchObject({ kind: 'call', waitFor: 'confirmed' });
  });

  it('refuses a capture of registrations only: no INVITE', () => {
    const registrations = messages.filter((m) => m.caseId === undefined);
    expect(() => scenariosFromCapture(registrations, { time: 'real', source: 'x.pcap' })).toThrow(CaptureScenarioError);
    expect(() => scenariosFromCapture(registrations, { time: 'real', source: 'x.pcap' })).toThrow(/holds no INVITE.*REGISTER/);
  });
});

/** tshark writes the part of the lab capture a display filter keeps: what a narrower capture would have seen. */
function tsharkFiltered(name: string, filter: string): string {
  const out = join(dir, `${name}.pcapng`);
  execFileSync('tshark', ['-r', FIXTURE, '-Y', filter, '-w', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

describe('sipbots scenario from-capture refuses what it cannot make a scenario of (exit 2)', () => {
  const reject = 'frame.comment contains "case=reject"';

  it('a capture with no INVITE', async () => {
    const result = await runCli(['scenario', 'from-capture', tsharkFiltered('registers', '!(frame.comment contains "case=") || frame.comment contains "case=-"'), '--out', join(dir, 'o1')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/holds no INVITE, so no call to make a scenario of \(it has \d+ SIP messages: REGISTER\)/);
  });

  it('only what the caller sent', async () => {
    const result = await runCli(['scenario', 'from-capture', tsharkFiltered('caller-sent', `${reject} && ip.src==127.0.1.1`), '--out', join(dir, 'o2')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/only one side of the call is in the capture: 127\.0\.1\.1:\d+ sent INVITE but no response came back/);
  });

  it("only the caller's hop of a proxied call", async () => {
    const result = await runCli(['scenario', 'from-capture', tsharkFiltered('caller-hop', `${reject} && ip.addr==127.0.1.1`), '--out', join(dir, 'o3')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/only one side of the call is in the capture: 127\.0\.0\.1:\d+ Record-Routes the call \(a proxy\)/);
  });

  it("only the callee's hop", async () => {
    const result = await runCli(['scenario', 'from-capture', tsharkFiltered('callee-hop', `${reject} && ip.addr==127.0.1.2`), '--out', join(dir, 'o4')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/only one side of the call is in the capture: the first INVITE came from 127\.0\.0\.1:\d+ with 2 Via headers/);
  });

  it('a capture without SIP', async () => {
    const ends = { source: { address: '127.0.0.1', port: 4000 }, destination: { address: '127.0.0.1', port: 4001 } };
    const file = join(dir, 'no-sip.pcap');
    writeFileSync(file, classicPcap(1, [{ at: 1_700_000_000_000, frame: ethernetFrame(udpPacket(ends, Buffer.from('hello, not SIP'), 1)) }]));
    const result = await runCli(['scenario', 'from-capture', file, '--out', join(dir, 'o5')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no-sip\.pcap holds no SIP messages/);
  });

  it('a capture of more calls than one scenario plays, without --call or --all', async () => {
    const result = await runCli(['scenario', 'from-capture', FIXTURE, '--out', join(dir, 'o7')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/holds 11 calls; one scenario plays at most 10: pick one with --call \(\S+, \S+, \S+, \.\.\.\) or write one scenario per call with --all/);
    const all = await runCli(['scenario', 'from-capture', FIXTURE, '--all', '--out', join(dir, 'o8')]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.trim().split('\n')).toHaveLength(12);
  });

  it('--call and --all together', async () => {
    const result = await runCli(['scenario', 'from-capture', FIXTURE, '--all', '--call', 'x', '--out', join(dir, 'o6')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--call and --all exclude each other/);
  });
});
