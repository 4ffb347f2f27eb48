import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import type { EmbeddedServer } from '../../src/lab/embedded-server.js';
import { startTestProxy } from '../support/test-proxy.js';
import { waitFor } from './support/spawn-cli.js';

/**
 * Issue 14 item 2: the embedded proxy must not relay in-dialog (To-tagged) requests that did
 * not come along a Record-Route it added itself. Raw UDP datagrams, as an attacker sends them.
 */
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

interface UdpPeer {
  socket: Socket;
  port: number;
  received: string[];
}

async function udpPeer(): Promise<UdpPeer> {
  const socket = createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (data) => received.push(data.toString('utf8')));
  await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done));
  cleanup.push(() => new Promise<void>((done) => socket.close(() => done())));
  return { socket, port: socket.address().port, received };
}

let counter = 0;
function forgedInDialog(method: string, attacker: UdpPeer, victimPort: number, extra: string[] = []): string {
  const n = ++counter;
  return [
    `${method} sip:v@127.0.0.1:${victimPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${attacker.port};rport;branch=z9hG4bKforged${n}`,
    'Max-Forwards: 70',
    // A spoofed sender: nobody authenticated as alice.
    '<sip:alice@lab.test>;tag=a'.replace(/^/, 'From: '),
    `To: <sip:v@127.0.0.1:${victimPort}>;tag=b`,
    `Call-ID: forged-${n}@attacker`,
    `CSeq: 1 ${method}`,
    ...extra,
    'Content-Type: text/plain',
    'Content-Length: 5',
    '',
    'hello',
  ].join('\r\n');
}

async function startProxy(): Promise<number> {
  const { server } = await startTestProxy({ events: new EventStream() });
  cleanup.push(() => (server as EmbeddedServer).stop());
  return server.endpoints.get('udp')!.port;
}

function send(peer: UdpPeer, proxyPort: number, text: string): void {
  peer.socket.send(text, proxyPort, '127.0.0.1');
}

const statusOf = (raw: string | undefined) => (raw === undefined ? undefined : /^SIP\/2\.0 (\d{3})/.exec(raw)?.[1]);

describe('in-dialog requests from strangers are not relayed (issue 14 item 2)', () => {
  it('a To-tagged MESSAGE without Route or credentials gets 404 and nothing reaches the target port', async () => {
    const proxyPort = await startProxy();
    const attacker = await udpPeer();
    const victim = await udpPeer();
    send(attacker, proxyPort, forgedInDialog('MESSAGE', attacker, victim.port));
    expect(await waitFor(() => attacker.received.length > 0, 3000)).toBe(true);
    expect(statusOf(attacker.received[0])).toBe('404');
    // Before the fix the MESSAGE arrived within milliseconds and was re-sent over UDP.
    await new Promise((r) => setTimeout(r, 1000));
    expect(victim.received).toEqual([]);
    expect(attacker.received.map(statusOf)).toEqual(['404']);
  });

  it('a forged Route naming the proxy (no or a wrong dialog token) gets 403; a BYE and a re-INVITE too; an ACK is dropped', async () => {
    const proxyPort = await startProxy();
    const attacker = await udpPeer();
    const victim = await udpPeer();
    const route = (params: string) => `Route: <sip:127.0.0.1:${proxyPort};transport=udp;lr${params}>`;
    send(attacker, proxyPort, forgedInDialog('MESSAGE', attacker, victim.port, [route('')]));
    send(attacker, proxyPort, forgedInDialog('BYE', attacker, victim.port, [route(';dlg=0123456789abcdef')]));
    send(attacker, proxyPort, forgedInDialog('INVITE', attacker, victim.port, [route(';dlg=0123456789abcdef')]));
    send(attacker, proxyPort, forgedInDialog('ACK', attacker, victim.port, [route('')]));
    expect(await waitFor(() => attacker.received.length >= 3, 3000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    expect(victim.received).toEqual([]);
    // No 100 Trying for the refused re-INVITE, and nothing for the ACK: every reply is a 403,
    // one per forged request but the ACK (a UDP INVITE's 403 is re-sent until ACKed).
    expect(new Set(attacker.received.map(statusOf))).toEqual(new Set(['403']));
    const answered = new Set(attacker.received.map((raw) => /^CSeq: 1 (\w+)/m.exec(raw)?.[1]));
    expect(answered).toEqual(new Set(['MESSAGE', 'BYE', 'INVITE']));
  });
});
