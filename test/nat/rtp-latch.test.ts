import { afterEach, describe, expect, it } from 'vitest';
import { RtpLatch, latchingApplies } from '../../src/media/nat/rtp-latch.js';
import { RtpSession } from '../../src/media/rtp-session.js';
import type { Endpoint } from '../../src/sip/transport/types.js';

const SDP: Endpoint = { address: '192.168.2.120', port: 4000 };
const NAT: Endpoint = { address: '223.88.60.20', port: 61000 };

describe('RtpLatch', () => {
  it('latches onto the first packet from an address other than the SDP one', () => {
    const latch = new RtpLatch();
    expect(latch.observe(NAT, 7, SDP)).toEqual(NAT);
    expect(latch.observe(NAT, 7, NAT)).toBeUndefined();
  });
  it('a stray packet with the latched SSRC from elsewhere does not steal the stream', () => {
    const latch = new RtpLatch();
    latch.observe(NAT, 7, SDP);
    expect(latch.observe({ address: '198.51.100.9', port: 5 }, 7, NAT)).toBeUndefined();
  });
  it('a new SSRC from a new source (the peer restarted) latches again; so does a reset', () => {
    const latch = new RtpLatch();
    latch.observe(NAT, 7, SDP);
    const moved = { address: NAT.address, port: 61002 };
    expect(latch.observe(moved, 8, NAT)).toEqual(moved);
    latch.reset();
    expect(latch.observe(NAT, 8, moved)).toEqual(NAT);
  });
  it('is on for callees by default, for both sides with always, never with off', () => {
    expect(latchingApplies('callee', 'answerer')).toBe(true);
    expect(latchingApplies('callee', 'offerer')).toBe(false);
    expect(latchingApplies('always', 'offerer')).toBe(true);
    expect(latchingApplies('off', 'answerer')).toBe(false);
  });
});

describe('RtpSession latching over loopback', () => {
  const sessions: RtpSession[] = [];
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
  });

  it('the callee, told an unreachable c=, sends its tone back to where the caller RTP comes from', async () => {
    const caller = await RtpSession.open({ toneHz: 440 });
    const callee = await RtpSession.open({ toneHz: 1000 });
    sessions.push(caller, callee);
    caller.configure({ remote: callee.local });
    // What a NAT'd caller's SDP says: its private address, which nobody here can reach.
    callee.configure({ remote: { address: '127.0.0.1', port: 9 }, latching: true });
    caller.start();
    callee.start();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(caller.stats().received.packets).toBeGreaterThan(5);
    expect(caller.stats().received.detectedHz).toBe(1000);
  });

  it('without latching the caller hears nothing', async () => {
    const caller = await RtpSession.open({ toneHz: 440 });
    const callee = await RtpSession.open({ toneHz: 1000 });
    sessions.push(caller, callee);
    caller.configure({ remote: callee.local });
    callee.configure({ remote: { address: '127.0.0.1', port: 9 } });
    caller.start();
    callee.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(caller.stats().received.packets).toBe(0);
  });
});
