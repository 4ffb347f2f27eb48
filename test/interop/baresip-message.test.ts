import { describe, expect, it } from 'vitest';
import type { SipMessageEvent } from '../../src/events/types.js';
import { baresipOnKamailio } from './support/baresip-on-kamailio.js';
import { describeRun, fixture, readRunEvents, runSipbots } from './support/sipbots-cli.js';

// A real softphone receives what a scenario sends: baresip registered on Kamailio (UDP).

const { kamailio, carol } = baresipOnKamailio();

describe('scenario request steps against baresip through Kamailio', () => {
  it('message: Kamailio challenges it 407, baresip itself answers the MESSAGE 200 (Server: baresip); options likewise', async () => {
    const run = await runSipbots(
      ['run', fixture('message-baresip.yaml'), '--bots', fixture('bots-alice-bob.yaml'), '--server', `sip:127.0.0.1:${kamailio().udpPort}`, '--json'],
      { timeoutMs: 30_000 },
    );
    expect(run.exitCode, `${describeRun(run)}\n---- baresip ----\n${carol().output().slice(-2000)}`).toBe(0);
    expect(run.summary!.cases[0]).toMatchObject({ id: 'message-baresip', passed: true });
    const finals = (await readRunEvents(run.runDir)).filter((e): e is SipMessageEvent => e.type === 'sip' && e.party === 'alice' && e.direction === 'in' && (e.status ?? 0) >= 200 && !e.cseq?.endsWith('REGISTER'));
    expect(finals.map((e) => `${e.status} ${e.cseq?.split(' ')[1]}`)).toEqual(['407 MESSAGE', '200 MESSAGE', '407 OPTIONS', '200 OPTIONS']);
    const answer = finals.find((e) => e.status === 200 && e.cseq?.endsWith('MESSAGE'))!;
    // baresip's own answer, relayed by Kamailio, not Kamailio answering for it.
    expect(answer.raw).toMatch(/^(User-Agent|Server): baresip/im);
  }, 45_000);
});
