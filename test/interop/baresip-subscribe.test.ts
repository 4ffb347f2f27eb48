import { describe, expect, it } from 'vitest';
import type { SipMessageEvent } from '../../src/events/types.js';
import { parseSipMessage } from '../../src/sip/message/parse-message.js';
import { getHeader } from '../../src/sip/message/headers.js';
import { baresipOnKamailio } from './support/baresip-on-kamailio.js';
import { describeRun, fixture, readRunEvents, runSipbots } from './support/sipbots-cli.js';

const { kamailio, carol } = baresipOnKamailio({ appModules: ['presence.so'] });

describe('SUBSCRIBE to a baresip through Kamailio', () => {
  it('alice subscribes to baresip\'s presence: 2xx, NOTIFY with PIDF, unsubscribe answered and NOTIFY terminated', async () => {
    const run = await runSipbots(
      ['run', fixture('subscribe-baresip.yaml'), '--bots', fixture('bots-alice-bob.yaml'), '--server', `sip:127.0.0.1:${kamailio().udpPort}`, '--media', 'none', '--json'],
      { timeoutMs: 60_000 },
    );
    expect(run.exitCode, `${describeRun(run)}\n---- baresip ----\n${carol().output().slice(-3000)}`).toBe(0);
    const events = await readRunEvents(run.runDir);
    const notifies = events
      .filter((e): e is SipMessageEvent => e.type === 'sip' && e.party === 'alice' && e.direction === 'in' && e.method === 'NOTIFY' && !e.retransmission)
      .map((e) => parseSipMessage(e.raw));
    expect(notifies.map((m) => getHeader(m, 'Content-Type'))[0]).toBe('application/pidf+xml');
    expect(getHeader(notifies.at(-1)!, 'Subscription-State')).toMatch(/^terminated/);
  }, 90_000);
});
