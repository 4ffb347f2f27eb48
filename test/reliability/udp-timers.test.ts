import { beforeEach, describe, expect, it } from 'vitest';
import { createReliableSocket } from '../../src/sip/reliability/reliable-socket.js';
import type { ReliableSipSocket } from '../../src/sip/reliability/types.js';
import { FakeClock } from '../../src/util/fake-clock.js';
import { FakeNetwork, type FakeUdpSocket } from '../support/fake-network.js';

function request(method: string, branch: string, cseq = 1): string {
  return [
    `${method} sip:bob@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:40000;branch=${branch};rport`,
    'From: <sip:alice@lab.test>;tag=a1',
    'To: <sip:bob@lab.test>',
    'Call-ID: call-1',
    `CSeq: ${cseq} ${method === 'ACK' ? 'INVITE' : method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function response(status: number, reason: string, branch: string, method = 'INVITE', toTag = 'b1'): string {
  return [
    `SIP/2.0 ${status} ${reason}`,
    `Via: SIP/2.0/UDP 127.0.0.1:40000;branch=${branch};rport`,
    'From: <sip:alice@lab.test>;tag=a1',
    `To: <sip:bob@lab.test>${status > 100 ? `;tag=${toTag}` : ''}`,
    'Call-ID: call-1',
    `CSeq: 1 ${method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const startLines = (socket: FakeUdpSocket) => socket.sent.map((d) => d.raw.split('\r\n')[0]);

describe('UDP reliability below sip.js (RFC 3261 §17)', () => {
  let clock: FakeClock;
  let network: FakeNetwork;
  let aliceWire: FakeUdpSocket;
  let bobWire: FakeUdpSocket;
  let alice: ReliableSipSocket;
  let bob: ReliableSipSocket;
  let aliceGot: string[];
  let bobGot: string[];
  const t0 = 1_700_000_000_000;

  beforeEach(() => {
    clock = new FakeClock(t0);
    network = new FakeNetwork();
    aliceWire = network.socket();
    bobWire = network.socket();
    alice = createReliableSocket(aliceWire, { clock });
    bob = createReliableSocket(bobWire, { clock });
    aliceGot = [];
    bobGot = [];
    alice.onMessage((raw) => aliceGot.push(raw.split('\r\n')[0]!));
    bob.onMessage((raw) => bobGot.push(raw.split('\r\n')[0]!));
  });

  const toBob = () => ({ remote: bobWire.local });
  const toAlice = () => ({ remote: aliceWire.local });

  it('alice re-sends an unanswered INVITE at 0.5, 1.5, 3.5, 7.5 s (Timer A doubling)', async () => {
    const sendTimes: number[] = [];
    network.dropIf = (d) => d.to.port === bobWire.local.port && sendTimes.push(clock.now() - t0) > 0;
    await alice.send(request('INVITE', 'z9hG4bKa'), toBob());
    clock.advance(8000);
    expect(sendTimes).toEqual([0, 500, 1500, 3500, 7500]);
  });

  it('alice stops re-sending the INVITE once bob answers 100 Trying, and reports no timeout while ringing', async () => {
    const timeouts: string[] = [];
    alice.onTransactionTimeout((raw) => timeouts.push(raw));
    await alice.send(request('INVITE', 'z9hG4bKb'), toBob());
    await bob.send(response(100, 'Trying', 'z9hG4bKb'), toAlice());
    clock.advance(60_000);
    expect(startLines(aliceWire)).toEqual(['INVITE sip:bob@127.0.0.1 SIP/2.0']);
    expect(timeouts).toEqual([]);
  });

  it('alice gives up on an unanswered OPTIONS after 64·T1, re-sending capped at T2 (Timer E/F)', async () => {
    const sendTimes: number[] = [];
    const timeouts: string[] = [];
    network.dropIf = (d) => d.to.port === bobWire.local.port && sendTimes.push(clock.now() - t0) > 0;
    alice.onTransactionTimeout((raw) => timeouts.push(raw.split('\r\n')[0]!));
    await alice.send(request('OPTIONS', 'z9hG4bKc'), toBob());
    clock.advance(40_000);
    expect(sendTimes.slice(0, 6)).toEqual([0, 500, 1500, 3500, 7500, 11500]);
    expect(Math.max(...sendTimes)).toBeLessThan(32_000);
    expect(timeouts).toEqual(['OPTIONS sip:bob@127.0.0.1 SIP/2.0']);
  });

  it('bob re-sends 486 until the ACK comes (Timer G), then stops', async () => {
    let dropAcks = 2;
    network.dropIf = (d) => d.raw.startsWith('ACK') && dropAcks-- > 0;
    await alice.send(request('INVITE', 'z9hG4bKd'), toBob());
    await bob.send(response(486, 'Busy Here', 'z9hG4bKd'), toAlice());
    // alice's core ACKs the 486 (same branch); the first two ACKs are lost.
    await alice.send(request('ACK', 'z9hG4bKd'), toBob());
    clock.advance(500); // bob re-sends 486; alice's layer re-sends the cached ACK (lost again)
    clock.advance(1000); // bob re-sends 486; the ACK gets through
    clock.advance(30_000);
    expect(startLines(bobWire).filter((l) => l.includes('486'))).toHaveLength(3);
    expect(aliceGot).toEqual(['SIP/2.0 486 Busy Here']);
    expect(bobGot).toEqual(['INVITE sip:bob@127.0.0.1 SIP/2.0', 'ACK sip:bob@127.0.0.1 SIP/2.0']);
  });

  it('a retransmitted INVITE after the 2xx gets the same 2xx and never reaches bob\'s core twice', async () => {
    let okLost = false;
    network.dropIf = (d) => d.raw.startsWith('SIP/2.0 200') && !okLost && (okLost = true);
    await alice.send(request('INVITE', 'z9hG4bKe'), toBob());
    await bob.send(response(200, 'OK', 'z9hG4bKe'), toAlice()); // lost
    clock.advance(500); // alice re-sends INVITE; bob's layer answers from its cache
    expect(bobGot).toEqual(['INVITE sip:bob@127.0.0.1 SIP/2.0']);
    expect(startLines(bobWire)).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
    expect(aliceGot).toEqual(['SIP/2.0 200 OK']);
  });

  it('a 180 arriving after the 200 does not reach alice\'s core; a repeated 200 does (so it can re-ACK)', async () => {
    await alice.send(request('INVITE', 'z9hG4bKf'), toBob());
    await bob.send(response(200, 'OK', 'z9hG4bKf'), toAlice());
    await bob.send(response(180, 'Ringing', 'z9hG4bKf'), toAlice());
    await bob.send(response(200, 'OK', 'z9hG4bKf'), toAlice());
    expect(aliceGot).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
  });

  it('a request bob never answers is forgotten after 64·T1: a later copy reaches his core again', async () => {
    await alice.send(request('OPTIONS', 'z9hG4bKh'), toBob());
    clock.advance(1000); // two retransmissions, absorbed: bob's core has not answered yet
    expect(bobGot).toEqual(['OPTIONS sip:bob@127.0.0.1 SIP/2.0']);
    clock.advance(40_000);
    await alice.send(request('OPTIONS', 'z9hG4bKh', 2).replace('CSeq: 2', 'CSeq: 1'), toBob());
    expect(bobGot).toHaveLength(2);
  });

  it('a ringing INVITE stays matched for as long as it rings: the late 487 is still re-sent until ACK', async () => {
    await alice.send(request('INVITE', 'z9hG4bKi'), toBob());
    await bob.send(response(180, 'Ringing', 'z9hG4bKi'), toAlice());
    clock.advance(120_000);
    let dropAcks = 1;
    network.dropIf = (d) => d.raw.startsWith('ACK') && dropAcks-- > 0;
    await bob.send(response(487, 'Request Terminated', 'z9hG4bKi'), toAlice());
    await alice.send(request('ACK', 'z9hG4bKi'), toBob());
    clock.advance(600);
    expect(startLines(bobWire).filter((l) => l.includes('487'))).toHaveLength(2);
  });

  it('over TCP nothing is retransmitted or absorbed', async () => {
    const tcpLike = network.socket();
    Object.defineProperty(tcpLike, 'protocol', { value: 'tcp' });
    const reliable = createReliableSocket(tcpLike, { clock });
    await reliable.send(request('INVITE', 'z9hG4bKg'), toBob());
    clock.advance(10_000);
    expect(tcpLike.sent).toHaveLength(1);
  });
});
