import { afterEach, describe, expect, it } from 'vitest';
import { Pacer } from '../../src/media/pacer.js';
import { RtpSession } from '../../src/media/rtp-session.js';
import { startRelay, type Relay } from '../../src/relay/index.js';

/**
 * 5 % RTP loss on a real UDP relay between two RTP sessions (the media plane every bot call
 * runs): alice ──▶ relay ──▶ bob, bob ──▶ relay ──▶ alice (bob latches onto the relay, as a
 * callee does onto a NAT). The relay counts what it dropped; each receiver's own loss figure
 * (RFC 3550 §A.3, from sequence gaps) must be within one percentage point of it.
 */
describe('RTP loss through a lossy relay', () => {
  const open: Array<{ close(): Promise<unknown> }> = [];
  let relay: Relay | undefined;
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await relay?.stop();
  });

  it('with 5 % of packets dropped each way, each receiver reports the loss the relay caused, ±1 point', async () => {
    const pacer = new Pacer({ slots: 4 });
    const alice = await RtpSession.open({ toneHz: 440, pacer });
    const bob = await RtpSession.open({ toneHz: 1000, pacer });
    open.push(alice, bob);
    relay = await startRelay({ target: bob.local, faults: { loss: 0.05 }, seed: 5 });
    alice.configure({ remote: relay.endpoint, remoteRtcp: bob.rtcpLocal });
    // bob sends to where alice's RTP reaches him from: the relay's socket for alice. He starts
    // once he has latched, so none of his packets bypass the relay.
    bob.configure({ remote: alice.local, remoteRtcp: alice.rtcpLocal, latching: true });
    alice.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    bob.start();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const [heardByAlice, heardByBob] = await Promise.all([alice.close(), bob.close()]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const wire = relay.stats();

    const reported = (s: typeof heardByBob) => s.received.lost / (s.received.packets + s.received.lost);
    const directions = [
      { name: 'alice→bob', relayed: wire.toTarget, heard: heardByBob },
      { name: 'bob→alice', relayed: wire.toClient, heard: heardByAlice },
    ];
    for (const { name, relayed, heard } of directions) {
      const dropped = relayed.dropped / relayed.received;
      const figures = `${name}: relay dropped ${relayed.dropped} of ${relayed.received}, receiver got ${heard.received.packets} and reports ${heard.received.lost} lost`;
      expect(relayed.received, figures).toBeGreaterThan(200);
      expect(relayed.dropped, figures).toBeGreaterThan(0);
      // Drops after the last packet that arrived are invisible to a receiver (RFC 3550 §A.3 counts gaps).
      expect(heard.received.lost, figures).toBeLessThanOrEqual(relayed.dropped);
      expect(Math.abs(reported(heard) - dropped), figures).toBeLessThanOrEqual(0.01);
      // Everything the receiver counted came through the relay, and nearly all the relay passed on arrived.
      expect(heard.received.packets, figures).toBeLessThanOrEqual(relayed.forwarded);
      expect(heard.received.packets, figures).toBeGreaterThanOrEqual(relayed.forwarded - 2);
    }
  });
});
