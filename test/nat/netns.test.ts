/**
 * The bots behind a real NAT: Linux namespaces "home" (bots) → "router" (MASQUERADE, UDP
 * conntrack timeouts of 10 s) → "provider" (Kamailio, bots), built by scripts/nat/netns.sh.
 * Needs root (CI runs as root); without namespaces every test here fails with the reason.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartySpec } from './support/nat-party.js';
import { natBedDown, natBedUp, partyLines, REPO, runInNamespace, startProviderKamailio, type NatBed, type ProcessResult } from './support/netns-bed.js';

const PARTY = `${REPO}/test/nat/support/nat-party.ts`;
const CLI = `${REPO}/test/nat/support/sipbots-cli.ts`;
/** Kamailio's INVITE timer; the lab's no-answer-proxy-408 case expects 3 s. */
const FR_INV_TIMER_MS = 3_000;

let bed: NatBed;
let bedError: Error | undefined;

beforeAll(async () => {
  try {
    bed = await natBedUp();
    await startProviderKamailio(FR_INV_TIMER_MS);
  } catch (error) {
    bedError = error as Error;
  }
}, 90_000);

afterAll(async () => {
  await natBedDown();
}, 60_000);

function requireBed(): NatBed {
  if (bedError) throw bedError;
  return bed;
}

function party(ns: string, spec: PartySpec, timeoutMs: number): Promise<ProcessResult> {
  return runInNamespace(ns, PARTY, [JSON.stringify(spec)], timeoutMs);
}

function server(b: NatBed) {
  return { address: b.NAT_PROVIDER_ADDR, port: 5060 };
}

interface WireEvent {
  type: string;
  party?: string;
  direction?: string;
  raw?: string;
}

function startLine(raw: string): string {
  return raw.slice(0, raw.indexOf('\r\n'));
}

function header(raw: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(raw)?.[1];
}

describe('the lab with every bot in "home", behind the NAT, against Kamailio in "provider"', () => {
  let lab: ProcessResult;
  let wire: WireEvent[] = [];

  beforeAll(async () => {
    const b = requireBed();
    const out = await mkdtemp(join(tmpdir(), 'sipbots-nat-lab-'));
    lab = await runInNamespace(
      b.NAT_HOME_NS,
      CLI,
      ['lab', '--server', `sip:${b.NAT_PROVIDER_ADDR}:5060`, '--bots', `${REPO}/test/nat/fixtures/home-bots.yaml`, '--out', out, '--json'],
      240_000,
    );
    const jsonl = await readFile(join(out, 'messages.jsonl'), 'utf8').catch(() => '');
    wire = jsonl
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as WireEvent);
  }, 260_000);

  it('alice REGISTERs, the 200 shows received=198.18.0.1 and rport, and she re-REGISTERs with Contact <sip:alice@198.18.0.1:PORT;ob>', () => {
    const b = requireBed();
    const alice = wire.filter((e) => e.type === 'sip' && e.party === 'alice' && e.raw);
    const firstOk = alice.find((e) => e.direction === 'in' && startLine(e.raw!).startsWith('SIP/2.0 200') && /CSeq:\s*\d+ REGISTER/i.test(e.raw!));
    expect(firstOk, lab.stderr).toBeDefined();
    const via = header(firstOk!.raw!, 'Via') ?? '';
    expect(via).toContain(`received=${b.NAT_PUBLIC_ADDR}`);
    const rport = /rport=(\d+)/.exec(via)?.[1];
    expect(rport).toBeDefined();
    const registers = alice.filter((e) => e.direction === 'out' && startLine(e.raw!).startsWith('REGISTER'));
    const contacts = registers.map((e) => header(e.raw!, 'Contact'));
    expect(contacts[0]).toContain(`@${b.NAT_HOME_ADDR}:`);
    expect(contacts).toContainEqual(`<sip:alice@${b.NAT_PUBLIC_ADDR}:${rport};transport=udp;ob>;expires=60`);
    // The private Contact is removed (Expires 0) before the public one is registered.
    expect(contacts).toContainEqual(expect.stringMatching(new RegExp(`^<sip:alice@${b.NAT_HOME_ADDR.replace(/\./g, '\\.')}:\\d+;transport=udp>;expires=0$`)));
    const invite = alice.find((e) => e.direction === 'out' && startLine(e.raw!).startsWith('INVITE'));
    expect(header(invite!.raw!, 'Contact')).toContain(`@${b.NAT_PUBLIC_ADDR}:${rport};transport=udp;ob`);
  });

  it('passes every lab case with the caller behind the NAT', () => {
    expect(lab.timedOut).toBe(false);
    const summary = JSON.parse(lab.stdout.trim().split('\n').pop() ?? '{}') as { passed?: boolean; cases?: Array<{ id: string; passed: boolean; reason?: string }> };
    const failed = (summary.cases ?? []).filter((c) => !c.passed).map((c) => `${c.id}: ${JSON.stringify(c)}`);
    expect(failed, lab.stderr.slice(-2000)).toEqual([]);
    expect(summary.cases?.length).toBeGreaterThanOrEqual(9);
    expect(summary.passed).toBe(true);
    expect(lab.code).toBe(0);
  });
});

describe('a call from "home" to "provider"', () => {
  it('alice (home) calls bob (provider): both hear the other tone across the NAT', async () => {
    const b = requireBed();
    const [bob, alice] = await Promise.all([
      party(b.NAT_PROVIDER_NS, { user: 'bob', password: 'bob-secret', bindAddress: b.NAT_PROVIDER_ADDR, server: server(b), tone: 1000, role: 'callee', stayMs: 9_000 }, 30_000),
      party(
        b.NAT_HOME_NS,
        { user: 'alice', password: 'alice-secret', bindAddress: b.NAT_HOME_ADDR, server: server(b), tone: 440, role: 'caller', target: 'sip:bob@lab.test', callAfterMs: 1_500, holdMs: 3_000 },
        30_000,
      ),
    ]);
    const call = partyLines(alice).find((l) => l.event === 'call');
    expect(call, alice.stdout + alice.stderr).toMatchObject({ finalStatus: 200 });
    const aliceHeard = partyLines(alice).find((l) => l.event === 'media') as { received: { packets: number; detectedHz?: number } } | undefined;
    const bobHeard = partyLines(bob).find((l) => l.event === 'media') as { received: { packets: number; detectedHz?: number } } | undefined;
    expect(aliceHeard?.received.detectedHz, 'alice hears bob').toBe(1000);
    expect(bobHeard?.received.detectedHz, 'bob hears alice').toBe(440);
  }, 40_000);
});

describe('reaching a bot in "home" after the NAT binding would have expired twice', () => {
  /** The router forgets an idle UDP mapping after 10 s; the call comes 22 s after registering. */
  const CALL_AFTER_MS = 22_000;
  let withKeepAlive: { callee: ProcessResult; caller: ProcessResult };
  let withoutKeepAlive: { callee: ProcessResult; caller: ProcessResult };

  /**
   * How long a party process may take on top of its own timeline: `node --import tsx` compiles
   * the sources first, and four at once on two busy cores took more than 20 s (the parties timed
   * out before calling). A healthy run ends by itself long before.
   */
  const START_UP_MS = 60_000;

  async function scenario(b: NatBed, callee: string, caller: string, keepAliveSeconds: number) {
    const stayMs = CALL_AFTER_MS + 14_000;
    const calleeRun = party(
      b.NAT_HOME_NS,
      { user: callee, password: `${callee}-secret`, bindAddress: b.NAT_HOME_ADDR, server: server(b), tone: 440, role: 'callee', stayMs, nat: { keepAliveSeconds } },
      stayMs + START_UP_MS,
    );
    // The provider's caller latches (as an SBC or a PBX with nat=yes does): the home callee's c= is private.
    const callerRun = party(
      b.NAT_PROVIDER_NS,
      {
        user: caller,
        password: caller === 'bob' ? 'bob-secret' : 'load-secret',
        bindAddress: b.NAT_PROVIDER_ADDR,
        server: server(b),
        tone: 1000,
        role: 'caller',
        target: `sip:${callee}@lab.test`,
        callAfterMs: CALL_AFTER_MS + 1_500,
        holdMs: 2_500,
        nat: { latching: 'always' },
      },
      stayMs + START_UP_MS,
    );
    const [calleeResult, callerResult] = await Promise.all([calleeRun, callerRun]);
    return { callee: calleeResult, caller: callerResult };
  }

  beforeAll(async () => {
    const b = requireBed();
    // Both at once, each its own callee and caller: conntrack keeps one mapping per flow.
    [withKeepAlive, withoutKeepAlive] = await Promise.all([scenario(b, 'alice', 'bob', 4), scenario(b, 'carol', 'u0001', 0)]);
  }, 140_000);

  it('with CRLF keep-alives every 4 s, the INVITE from the provider reaches alice and both hear each other', () => {
    const call = partyLines(withKeepAlive.caller).find((l) => l.event === 'call');
    expect(call, withKeepAlive.caller.stdout + withKeepAlive.caller.stderr).toMatchObject({ finalStatus: 200 });
    const callerMedia = partyLines(withKeepAlive.caller).find((l) => l.event === 'media') as { received: { detectedHz?: number } } | undefined;
    const calleeMedia = partyLines(withKeepAlive.callee).find((l) => l.event === 'media') as { received: { detectedHz?: number } } | undefined;
    expect(callerMedia?.received.detectedHz, 'bob hears alice').toBe(440);
    expect(calleeMedia?.received.detectedHz, 'alice hears bob').toBe(1000);
  });

  it('with keep-alives off, the NAT has forgotten carol: the INVITE dies at the router and the call fails', () => {
    const call = partyLines(withoutKeepAlive.caller).find((l) => l.event === 'call');
    expect(call, withoutKeepAlive.caller.stdout + withoutKeepAlive.caller.stderr).toBeDefined();
    expect(call!.finalStatus).not.toBe(200);
    expect(call!.finalStatus).toBeGreaterThanOrEqual(400);
    expect(partyLines(withoutKeepAlive.callee).some((l) => l.event === 'media')).toBe(false);
  });
});
