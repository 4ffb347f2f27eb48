import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { usersFromBots } from '../../src/proxy/users.js';
import { startKamailio, type KamailioPeer } from './support/kamailio.js';
import { startLinphone, type LinphonePeer } from './support/linphone.js';
import { waitForMessagesLine } from '../support/run-folder-watch.js';
import { cleanupRuns, describeRun, fixture, runSipbots } from './support/sipbots-cli.js';

// A real softphone on both ends of a bot's call: linphonec registered as carol, through
// Kamailio and through the embedded proxy, over UDP and TCP.

let kamailio: KamailioPeer;
let embedded: EmbeddedServer;

beforeAll(async () => {
  kamailio = await startKamailio({});
  const bots = await loadBotsFile('bots/lab.yaml', {});
  embedded = await startEmbeddedServer({ transports: ['udp', 'tcp'], users: usersFromBots(bots.bots.values()), domain: 'lab.test', events: new EventStream() });
});

afterAll(async () => {
  await kamailio?.stop();
  await embedded?.stop();
  await cleanupRuns();
});

type Transport = 'udp' | 'tcp';

/** Dials until a call's streams run; a call the server refuses (480 while bob is not registered yet) ends in LinphoneCallError. */
async function dialUntilConnected(phone: LinphonePeer, uri: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  const count = (pattern: RegExp) => phone.output().match(pattern)?.length ?? 0;
  while (Date.now() < deadline) {
    // Counted, not searched: the phone's log still holds the earlier tests' calls.
    const errors = count(/to LinphoneCallError\b/g);
    const running = count(/to LinphoneCallStreamsRunning\b/g);
    phone.command(`call ${uri}`);
    while (Date.now() < deadline && count(/to LinphoneCallError\b/g) === errors) {
      if (count(/to LinphoneCallStreamsRunning\b/g) > running) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`linphone could not connect a call to ${uri} within ${ms} ms:\n${phone.output().slice(-3000)}`);
}

const servers = (): Record<string, (t: Transport) => number> => ({
  kamailio: (t) => (t === 'udp' ? kamailio.udpPort : kamailio.tcpPort),
  embedded: (t) => embedded.endpoints.get(t)!.port,
});

describe.each([
  ['kamailio', 'udp'],
  ['kamailio', 'tcp'],
  ['embedded', 'udp'],
  ['embedded', 'tcp'],
] as const)('linphone and sipbots through %s over %s', (server, transport) => {
  let linphone: LinphonePeer | undefined;
  beforeAll(async () => {
    linphone = await startLinphone({ user: 'carol', password: 'carol-secret', proxyPort: servers()[server]!(transport), transport, toneHz: 700 });
  });
  afterAll(async () => {
    await linphone?.stop();
  });

  const sipbots = (file: string, onRunDir?: (runDir: string) => void) => {
    const port = servers()[server]!(transport);
    return runSipbots(['run', fixture(file), '--bots', fixture('bots-alice-bob.yaml'), '--server', `sip:127.0.0.1:${port}`, '--transport', transport, '--json'], { timeoutMs: 60_000, onRunDir });
  };

  /**
   * Starts a run in which linphone calls bob, and resolves once its case has started: a call
   * that reached bob while the bots were still registering (bob registered, alice not yet)
   * would come before the case's expectations and behaviour are in place.
   */
  const runAwaitingLinphone = async (file: string) => {
    let runDir = '';
    const running = sipbots(file, (dir) => (runDir = dir));
    const started = await waitForMessagesLine(() => runDir, (line) => line.includes('"type":"case-start"'), 30_000);
    if (!started) throw new Error(`the run of ${file} did not start its case within 30 s:\n${describeRun(await running)}`);
    return { running }; // wrapped: awaiting this function must not await the run
  };

  it('linphone calls bob: the expected incoming call arrives, is answered after 1 s, bob hears 700 Hz, linphone hangs up', async () => {
    const { running } = await runAwaitingLinphone('linphone-calls-bob.yaml');
    await dialUntilConnected(linphone!, 'sip:bob@lab.test', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    linphone!.command('terminate');
    const run = await running;
    expect(run.exitCode, `${describeRun(run)}\n---- linphone ----\n${linphone!.output().slice(-3000)}`).toBe(0);
    const call = run.summary!.cases[0]!.calls!['from-linphone']!;
    expect(call).toMatchObject({ arrived: true, finalStatus: 200, outcome: 'answered', passed: true });
    expect(Math.abs(call.detectedHz! - 700)).toBeLessThan(25);
  }, 90_000);

  it('linphone calls bob, who plays early media: his 183 carries SDP, linphone enters its early-media state before the 200, then they talk', async () => {
    const { running } = await runAwaitingLinphone('linphone-calls-bob-early-media.yaml');
    await dialUntilConnected(linphone!, 'sip:bob@lab.test', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    linphone!.command('terminate');
    const run = await running;
    expect(run.exitCode, `${describeRun(run)}\n---- linphone ----\n${linphone!.output().slice(-3000)}`).toBe(0);
    const call = run.summary!.cases[0]!.calls!['from-linphone']!;
    expect(call).toMatchObject({ arrived: true, finalStatus: 200, outcome: 'answered', passed: true });
    // This call's states in linphone's log: early media (from the 183 with SDP) comes before the 200 connects it.
    const log = linphone!.output();
    const thisCall = log.slice(log.lastIndexOf('to LinphoneCallOutgoingInit'));
    expect(thisCall).toMatch(/to LinphoneCallOutgoingEarlyMedia\b[^]*to LinphoneCallConnected\b/);
  }, 90_000);

  it('alice calls linphone: it auto-answers, she hears 700 Hz; its Contact-less 180 is ringing with a finding', async () => {
    const run = await sipbots('call-linphone.yaml');
    expect(run.exitCode, `${describeRun(run)}\n---- linphone ----\n${linphone!.output().slice(-3000)}`).toBe(0);
    const result = run.summary!.cases[0]!;
    expect(result).toMatchObject({ passed: true, finalStatus: 200, outcome: 'answered' });
    expect(Math.abs(result.media!.caller!.detectedHz! - 700)).toBeLessThan(25);
    if (result.legs.caller!.includes('<180')) expect(result.findings?.map((f) => f.message).join('\n')).toMatch(/180 without a Contact/);
  }, 90_000);

  it('alice re-INVITEs linphone to PCMA (its 200 takes PCMA) and UPDATEs it to sendonly (it answers recvonly or inactive)', async () => {
    const run = await sipbots('reinvite-linphone.yaml');
    expect(run.exitCode, `${describeRun(run)}\n---- linphone ----\n${linphone!.output().slice(-3000)}`).toBe(0);
    expect(run.summary!.cases[0]).toMatchObject({ passed: true, finalStatus: 200, outcome: 'answered' });
  }, 90_000);
});
