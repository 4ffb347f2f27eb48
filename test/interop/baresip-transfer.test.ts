import { describe, expect, it } from 'vitest';
import type { SipMessageEvent } from '../../src/events/types.js';
import { parseSipMessage } from '../../src/sip/message/parse-message.js';
import { baresipOnKamailio } from './support/baresip-on-kamailio.js';
import { describeRun, fixture, readRunEvents, runSipbots } from './support/sipbots-cli.js';

const { kamailio, carol } = baresipOnKamailio();

describe('blind transfer of a baresip through Kamailio', () => {
  it('alice REFERs baresip to bob: baresip accepts, calls bob (the expected call, answered), reports 200 as sipfrag; alice leaves with BYE', async () => {
    const run = await runSipbots(
      ['run', fixture('transfer-baresip.yaml'), '--bots', fixture('bots-alice-bob.yaml'), '--server', `sip:127.0.0.1:${kamailio().udpPort}`, '--media', 'none', '--json'],
      { timeoutMs: 60_000 },
    );
    expect(run.exitCode, `${describeRun(run)}\n---- baresip ----\n${carol().output().slice(-3000)}`).toBe(0);
    expect(run.summary!.cases[0]!.calls!['from-baresip']).toMatchObject({ arrived: true, finalStatus: 200, passed: true });
    const events = await readRunEvents(run.runDir);
    const alice = events.filter((e): e is SipMessageEvent => e.type === 'sip' && e.party === 'alice' && !e.retransmission);
    expect(alice.find((e) => e.direction === 'in' && e.cseq?.endsWith('REFER') && (e.status ?? 0) >= 200)?.status).toBe(202);
    const sipfrags = alice.filter((e) => e.direction === 'in' && e.method === 'NOTIFY').map((e) => parseSipMessage(e.raw).body.trim());
    expect(sipfrags.at(-1)).toMatch(/^SIP\/2\.0 200/);
  }, 90_000);
});
