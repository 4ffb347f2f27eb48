import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import { LoadEngine } from '../../src/load/engine/load-engine.js';

/**
 * A proxy on UDP that challenges the INVITE (407), answers the INVITE with credentials (200 with
 * Record-Route and Contact), then sends each final response a second and third time, as a peer
 * does whose copy of our ACK was lost. The load caller keeps no ACK text while it holds the call:
 * the ACK it sends again must still be the same bytes (§17.1.1.3 for the 407, §13.2.2.4 for the 2xx).
 */
interface AckProxy {
  port: number;
  /** Every request received, whole. */
  requests: string[];
  close(): void;
}

const header = (message: string, name: string): string => message.split('\r\n').find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`)) ?? '';

async function ackProxy(answerBye = true): Promise<AckProxy> {
  const socket: Socket = createSocket('udp4');
  const requests: string[] = [];
  let port = 0;
  const respond = (request: string, from: RemoteInfo, status: string, extra: string[], toTag: string): void => {
    const to = `${header(request, 'To')};tag=${toTag}`;
    const vias = request.split('\r\n').filter((line) => /^via:/i.test(line));
    const text = [`SIP/2.0 ${status}`, ...vias, header(request, 'From'), to, header(request, 'Call-ID'), header(request, 'CSeq'), ...extra, 'Content-Length: 0', '', ''].join('\r\n');
    // The final and two copies, 50 ms apart: the copies land after our ACK went out.
    for (const delay of [0, 50, 100]) setTimeout(() => socket.send(text, from.port, from.address), delay);
  };
  socket.on('message', (data, from) => {
    const request = data.toString();
    requests.push(request);
    const method = request.slice(0, request.indexOf(' '));
    if (method === 'INVITE' && !/^proxy-authorization:/im.test(request)) {
      respond(request, from, '407 Proxy Authentication Required', ['Proxy-Authenticate: Digest realm="lab.test", nonce="n1", algorithm=MD5'], 'p1');
    } else if (method === 'INVITE') {
      respond(request, from, '200 OK', [`Record-Route: <sip:127.0.0.1:${port};lr>`, `Contact: <sip:bob@127.0.0.1:${port}>`], 'c1');
    } else if (method === 'BYE' && answerBye) {
      socket.send([`SIP/2.0 200 OK`, ...request.split('\r\n').filter((line) => /^(via|from|to|call-id|cseq):/i.test(line)), 'Content-Length: 0', '', ''].join('\r\n'), from.port, from.address);
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  port = socket.address().port;
  return { port, requests, close: () => socket.close() };
}

const callOnce = (port: number, timeoutMs = 2000) =>
  new LoadEngine({
    scenario: 'call',
    transport: 'udp',
    proxy: { address: '127.0.0.1', port },
    bindAddress: '127.0.0.1',
    domain: 'lab.test',
    accounts: expandAccountPattern('u{1..1}@lab.test', 'secret'),
    calleeUri: 'sip:bob@lab.test',
    rate: 10,
    arrival: 'constant',
    calls: 1,
    holdMs: 500,
    timeoutMs,
    registerExpires: 60,
    sockets: 1,
  }).run();

describe('a load call ACKs each copy of a final response with the same ACK', () => {
  let proxy: AckProxy | undefined;
  afterEach(() => proxy?.close());

  it('the 407 three times: three identical ACKs on the INVITE branch; the 200 three times during the hold: three identical ACKs on a branch of their own', async () => {
    proxy = await ackProxy();
    const result = await callOnce(proxy.port);
    expect(result.counters.succeeded).toBe(1);

    const acks = proxy.requests.filter((r) => r.startsWith('ACK '));
    const of407 = acks.filter((r) => /^CSeq: 1 ACK$/m.test(r));
    const of200 = acks.filter((r) => /^CSeq: 2 ACK$/m.test(r));
    expect(of407).toHaveLength(3);
    expect(new Set(of407).size).toBe(1);
    expect(of200).toHaveLength(3);
    expect(new Set(of200).size).toBe(1);

    const firstInvite = proxy.requests.find((r) => r.startsWith('INVITE '))!;
    const branch = (message: string) => /branch=([^;\s]+)/.exec(header(message, 'Via'))![1];
    // §17.1.1.3: the non-2xx ACK has the INVITE's Request-URI and branch, the 407's To with its tag, no Route.
    expect(of407[0]!.split('\r\n')[0]).toBe('ACK sip:bob@lab.test SIP/2.0');
    expect(branch(of407[0]!)).toBe(branch(firstInvite));
    expect(header(of407[0]!, 'To')).toBe('To: <sip:bob@lab.test>;tag=p1');
    expect(header(of407[0]!, 'Route')).toBe('');
    // §13.2.2.4 and §12.1.2: the 2xx ACK goes to the Contact, through the Record-Route, with a new branch.
    expect(of200[0]!.split('\r\n')[0]).toBe(`ACK sip:bob@127.0.0.1:${proxy.port} SIP/2.0`);
    expect(header(of200[0]!, 'Route')).toBe(`Route: <sip:127.0.0.1:${proxy.port};lr>`);
    expect(header(of200[0]!, 'To')).toBe('To: <sip:bob@lab.test>;tag=c1');
    expect(branch(of200[0]!)).not.toBe(branch(firstInvite));
    // The BYE came after the hold, on the same dialog.
    expect(proxy.requests.filter((r) => r.startsWith('BYE '))).toHaveLength(1);
  });

  it('a BYE nobody answers: retransmitted (Timer E), then the call fails as "timeout BYE" when Timer F fires', async () => {
    proxy = await ackProxy(false);
    const result = await callOnce(proxy.port, 1000);
    expect(result.counters.failed).toBe(1);
    expect(result.counters.timeouts).toBe(1);
    expect(result.counters.failures).toEqual({ 'timeout BYE': 1 });
    // Sent at 0 and T1 (500 ms) within the 1 s Timer F.
    expect(proxy.requests.filter((r) => r.startsWith('BYE ')).length).toBeGreaterThanOrEqual(2);
  });
});
