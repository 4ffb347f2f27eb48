import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSipCaptureFile } from '../../src/capture/pcap-reader.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { requireTool, startTcpdump } from '../capture/fixtures/peers.js';
import { freeLoopbackPort, waitForUdpBound } from '../interop/support/ports.js';
import { runSipp, sippScenario, startSipp, writeSippCsv } from '../interop/support/sipp.js';
import { runCli } from '../support/run-cli.js';
import { startTestProxy } from '../support/test-proxy.js';
import type { EmbeddedServer } from '../../src/lab/embedded-server.js';

/*
 * Someone else's call: SIPp plays both parties through the embedded proxy (alice as a UAC
 * that answers the 407 challenge, bob as a registered UAS that answers), tcpdump records the
 * proxy's port on lo. The scenario made from that capture, run with sipbots bots against the
 * embedded proxy, must end the same way: the same final status at the caller, and the BYE
 * going the same way (SIPp's caller hangs up after 1 s).
 */
let server: EmbeddedServer;
let port = 0;
const dir = mkdtempSync(join(tmpdir(), 'sipbots-from-sipp-'));

beforeAll(async () => {
  requireTool('sipp', ['-v'], 'sip-tester');
  requireTool('tcpdump', ['--version']);
  server = (await startTestProxy()).server;
  port = server.endpoints.get('udp')!.port;
});

afterAll(async () => {
  await server?.stop();
});

/** SIPp's bob registers with its UAS port, the UAS answers, SIPp's alice calls bob: all while tcpdump runs. */
async function captureSippCall(): Promise<{ file: string; uacPort: number }> {
  const file = join(dir, 'sipp-call.pcap');
  let uacPort = 0;
  const capture = await startTcpdump(['-i', 'lo', '-w', file, `udp port ${port}`]);
  try {
    const uasPort = await freeLoopbackPort();
    uacPort = await freeLoopbackPort();
    const bob = await writeSippCsv(join(dir, 'bob.csv'), [['bob', 'bob-secret', 'lab.test']]);
    const alice = await writeSippCsv(join(dir, 'alice.csv'), [['alice', 'alice-secret', 'lab.test']]);
    // The embedded proxy sends a user's calls to where its REGISTER came from (as behind NAT),
    // so bob registers from the UAS's port first, then the UAS takes the port over.
    const registered = await runSipp(
      [`127.0.0.1:${port}`, '-sf', sippScenario('register'), '-inf', bob, '-key', 'contact_port', String(uasPort), '-key', 'expires', '60', '-i', '127.0.0.1', '-p', String(uasPort), '-m', '1'],
      { timeoutMs: 10_000 },
    );
    expect(registered.exitCode, registered.errors).toBe(0);
    const uas = await startSipp(['-sf', sippScenario('uas-answer'), '-i', '127.0.0.1', '-p', String(uasPort), '-m', '1'], { timeoutMs: 30_000 });
    await waitForUdpBound(uasPort);
    const uac = await runSipp([`127.0.0.1:${port}`, '-sf', sippScenario('uac-auth'), '-inf', alice, '-s', 'bob', '-i', '127.0.0.1', '-p', String(uacPort), '-m', '1'], {
      timeoutMs: 20_000,
    });
    expect(uac.exitCode, uac.errors).toBe(0);
    expect((await uas.done).exitCode).toBe(0);
    await untilCaptured(file, (m) => m.status === 200 && m.cseq?.endsWith('BYE') === true);
  } finally {
    await capture.stop();
  }
  return { file, uacPort };
}

/** tcpdump writes what it read from the kernel a moment later: wait for the last message before stopping it. */
async function untilCaptured(file: string, last: (m: SipMessageEvent) => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { messages } = await readSipCaptureFile(file, { allowTruncated: true });
    if (messages.some(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('scenario from-capture on a tcpdump capture of a SIPp call', () => {
  it('makes a scenario that sipbots bots play to the same final status and BYE direction', async () => {
    const { file: capture, uacPort } = await captureSippCall();
    // What SIPp did on the wire: its caller got 200 to the INVITE and sent the BYE.
    const wire = (await readSipCaptureFile(capture)).messages;
    expect(wire.filter((m) => m.status === 200 && m.cseq?.endsWith('INVITE') && m.remote.port === uacPort)).toHaveLength(1);
    expect(wire.filter((m) => m.method === 'BYE').map((m) => m.party)).toEqual([`127.0.0.1:${uacPort}`, `127.0.0.1:${port}`]); // relayed by the proxy
    const out = join(dir, 'generated');
    const made = await runCli(['scenario', 'from-capture', capture, '--out', out]);
    expect(made.code, made.stderr).toBe(0);
    const yaml = readFileSync(join(out, 'scenarios', 'sipp-call.yaml'), 'utf8');
    expect(yaml).toMatch(/^roles: \{ caller: alice, callee: bob \}$/m);
    expect(yaml).toMatch(/^ {2}- call: \{ from: caller, to: callee, name: main, hangupAfter: 1s \}$/m);
    expect(yaml).toMatch(/^ {4}caller: \[INVITE>, <100\?, <407, ACK>, INVITE>, <100\?, <180, <200\/INVITE, ACK>, BYE>, <200\/BYE\]$/m);

    const run = await runCli(['run', join(out, 'scenarios'), '--bots', join(out, 'bots.yaml'), '--media', 'none', '--json', '--out', join(out, 'run')], {
      env: { PATH: process.env.PATH, ALICE_PASSWORD: 'a-secret', BOB_PASSWORD: 'b-secret' },
    });
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(run.code, `${summary.cases.map((c) => c.difference).join('\n')}\n${run.stderr}`).toBe(0);
    const [replayed] = summary.cases;
    expect(replayed!.finalStatus).toBe(200);
    expect(replayed!.ending).toBe('caller-bye');
    expect(replayed!.flows.caller!.observed).toContain('BYE>');
    expect(replayed!.flows.callee!.observed).toContain('<BYE');
  }, 120_000);
});
