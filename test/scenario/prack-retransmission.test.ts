import { createSocket, type Socket } from 'node:dgram';
import { Core } from 'sip.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { SipMessageEvent } from '../../src/events/types.js';
import { startMediaLab, type MediaLab } from './support/media-bots.js';

/** A bare UDP user agent client on 127.0.0.1 that PRACKs only when told to: every response it gets, with its arrival time. */
class SlowPrackCaller {
  readonly responses: { at: number; raw: string }[] = [];
  private readonly socket: Socket = createSocket('udp4');

  async start(): Promise<number> {
    this.socket.on('message', (data) => {
      const raw = data.toString();
      this.responses.push({ at: Date.now(), raw });
      // RFC 3261 §15.1.2: a BYE is answered 200 (the callee hangs up when the test stops it).
      if (raw.startsWith('BYE ')) this.send(reply200(raw), Number(/^Via: SIP\/2\.0\/UDP [^:]+:(\d+)/m.exec(raw)![1]));
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    return this.socket.address().port;
  }

  send(message: string, port: number): void {
    this.socket.send(message, port, '127.0.0.1');
  }

  stop(): void {
    this.socket.close();
  }
}

const header = (raw: string, name: string) => new RegExp(`^${name}:[ \\t]*([^\\r\\n]*)`, 'im').exec(raw)?.[1];

function reply200(request: string): string {
  const keep = request.split('\r\n').filter((line) => /^(Via|From|To|Call-ID|CSeq):/i.test(line));
  return ['SIP/2.0 200 OK', ...keep, 'Content-Length: 0', '', ''].join('\r\n');
}

function invite(bobPort: number, myPort: number): string {
  const sdp = ['v=0', 'o=tester 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${myPort + 2} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
  return [
    `INVITE sip:bob@127.0.0.1:${bobPort};transport=udp SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${myPort};branch=z9hG4bK-rel100-invite;rport`,
    'Max-Forwards: 70',
    'From: <sip:tester@lab.test>;tag=tester1',
    'To: <sip:bob@lab.test>',
    'Call-ID: prack-retransmission@127.0.0.1',
    'CSeq: 1 INVITE',
    `Contact: <sip:tester@127.0.0.1:${myPort}>`,
    'Supported: 100rel',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
}

function prack(progress: string, bobPort: number, myPort: number): string {
  return [
    `PRACK sip:bob@127.0.0.1:${bobPort};transport=udp SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${myPort};branch=z9hG4bK-rel100-prack;rport`,
    'Max-Forwards: 70',
    `From: ${header(progress, 'From')}`,
    `To: ${header(progress, 'To')}`,
    'Call-ID: prack-retransmission@127.0.0.1',
    'CSeq: 2 PRACK',
    `RAck: ${header(progress, 'RSeq')} 1 INVITE`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a reliable 183 is retransmitted until its PRACK (RFC 3262 §3: T1, then doubling)', () => {
  let lab: MediaLab | undefined;
  let caller: SlowPrackCaller | undefined;
  afterEach(async () => {
    caller?.stop();
    await lab?.stop();
    lab = caller = undefined;
  });

  /** bob registered with the embedded proxy, requiring 100rel with 300 ms of early media; the bare caller's INVITE sent straight to him. */
  async function inviteBob() {
    lab = await startMediaLab(['bob']);
    const bob = lab.bots.get('bob')!;
    bob.behaviourOverride = { onInvite: 'answer', earlyMediaMs: 300, rel100: 'required' };
    const register = lab.recorded.find((e): e is SipMessageEvent => e.type === 'sip' && e.party === 'bob' && e.method === 'REGISTER')!;
    const bobPort = Number(/^Contact: <sip:bob@127\.0\.0\.1:(\d+)/m.exec(register.raw)![1]);
    const phone = new SlowPrackCaller();
    caller = phone;
    const myPort = await phone.start();
    phone.send(invite(bobPort, myPort), bobPort);
    return { bob, bobPort, myPort, phone };
  }

  it('bob repeats his 183 after 0.5, 1 and 2 s while no PRACK comes, stops once it is answered 200, then answers the INVITE', async () => {
    const { bob, bobPort, myPort, phone } = await inviteBob();

    const progresses = () => phone.responses.filter((r) => r.raw.startsWith('SIP/2.0 183 '));
    await until(() => progresses().length === 4, 6000);
    const copies = progresses();
    expect(new Set(copies.map((c) => header(c.raw, 'RSeq'))).size).toBe(1);
    expect(header(copies[0]!.raw, 'Require')).toBe('100rel');
    const gaps = copies.slice(1).map((c, i) => c.at - copies[i]!.at);
    // T1 = 500 ms, doubling. sip.js arms the timer when it hands the first 183 down; on a busy
    // machine that first copy reached the wire up to ~200 ms later (the first gap measured 285 ms
    // once), so only the later gaps, between retransmissions, are held to the doubling (and a
    // sender lag there too is allowed for: a constant T1 would give 500 ms gaps, no doubling 1000).
    expect(gaps[0], JSON.stringify(gaps)).toBeGreaterThanOrEqual(150);
    expect(gaps[0], JSON.stringify(gaps)).toBeLessThan(900);
    [1000, 2000].forEach((expected, i) => {
      expect(gaps[i + 1], JSON.stringify(gaps)).toBeGreaterThanOrEqual(expected - 250);
      expect(gaps[i + 1], JSON.stringify(gaps)).toBeLessThan(expected + 700);
    });

    phone.send(prack(copies[0]!.raw, bobPort, myPort), bobPort);
    await until(() => phone.responses.some((r) => /^SIP\/2\.0 200 OK\r\n/.test(r.raw) && /^CSeq: 1 INVITE\r$/m.test(r.raw)), 3000);
    const prackOk = phone.responses.find((r) => r.raw.startsWith('SIP/2.0 200 ') && /^CSeq: 2 PRACK\r$/m.test(r.raw))!;
    expect(prackOk).toBeDefined();
    const inviteOk = phone.responses.find((r) => r.raw.startsWith('SIP/2.0 200 ') && /^CSeq: 1 INVITE\r$/m.test(r.raw))!;
    expect(inviteOk.at).toBeGreaterThan(prackOk.at);
    // No 183 after the PRACK was answered (one already in flight may cross it).
    expect(progresses().filter((r) => r.at > prackOk.at + 50)).toEqual([]);
    const ack = [`ACK sip:bob@127.0.0.1:${bobPort};transport=udp SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${myPort};branch=z9hG4bK-rel100-ack;rport`, 'Max-Forwards: 70', `From: ${header(inviteOk.raw, 'From')}`, `To: ${header(inviteOk.raw, 'To')}`, 'Call-ID: prack-retransmission@127.0.0.1', 'CSeq: 1 ACK', 'Content-Length: 0', '', ''].join('\r\n');
    phone.send(ack, bobPort);
    await until(() => [...bob.calls.values()].some((c) => c.state === 'confirmed'), 2000);
  });

  it('no PRACK ever: bob gives up after 64·T1 with 504 and his call ends 504, not as a CANCEL (sip.js T1 shortened to 50 ms for this test)', async () => {
    const t1 = Core.Timers.T1;
    // sip.js reads T1 from this shared object when it arms the rel1xx and PRACK-wait timers.
    Core.Timers.T1 = 50;
    try {
      const { bob, phone } = await inviteBob();
      await until(() => phone.responses.some((r) => r.raw.startsWith('SIP/2.0 504 ')), 8000);
      const progresses = phone.responses.filter((r) => r.raw.startsWith('SIP/2.0 183 '));
      expect(progresses.length).toBeGreaterThanOrEqual(5);
      const call = [...bob.calls.values()][0]!;
      await until(() => call.state === 'terminated', 2000);
      expect(call.finalStatus).toBe(504);
      expect(call.finalReason).toMatch(/no PRACK/);
    } finally {
      Core.Timers.T1 = t1;
    }
  });
});
