import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSipSocket } from '../../src/sip/transport/create-sip-socket.js';
import { TransportError, type SipSocket, type SipSocketOptions } from '../../src/sip/transport/types.js';
import { makeTestCertificate } from '../support/tls-cert.js';
import { SocketEvents, sipRequest, sipResponse } from './socket-events.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function openSocket(options: SipSocketOptions): Promise<SipSocket> {
  const socket = createSipSocket(options);
  cleanups.push(() => socket.close());
  await socket.open();
  return socket;
}

/** A port nobody listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A raw TCP peer, to put exact bytes on the wire. */
async function rawPeer(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  cleanups.push(async () => void socket.destroy());
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  /** Resolves with everything received once at least `bytes` bytes have arrived. */
  const receivedAtLeast = (bytes: number): Promise<string> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (received.length < bytes) return;
        socket.off('data', check);
        resolve(received);
      };
      socket.on('data', check);
      check();
    });
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, receivedAtLeast, closed };
}

describe('tcp', () => {
  it('a send to a port nobody listens on rejects with a TransportError naming the address', async () => {
    const alice = await openSocket({ protocol: 'tcp' });
    const port = await closedPort();
    const sending = alice.send(sipRequest('OPTIONS'), { remote: { address: '127.0.0.1', port } });
    await expect(sending).rejects.toBeInstanceOf(TransportError);
    await expect(sending).rejects.toThrow(`tcp connection to 127.0.0.1:${port} refused`);
  });

  it('a non-listening socket reports port 0 until it connects; its flows carry the real local port', async () => {
    const bob = await openSocket({ protocol: 'tcp', listen: true });
    const alice = await openSocket({ protocol: 'tcp' });
    expect(alice.local).toEqual({ address: '127.0.0.1', port: 0 });
    const flow = await alice.send(sipRequest('OPTIONS'), { remote: bob.local });
    expect(flow.local.address).toBe('127.0.0.1');
    expect(flow.local.port).toBeGreaterThan(0);
  });

  it('bob reaches alice by her address over the connection she opened, and concurrent sends share it', async () => {
    const bob = await openSocket({ protocol: 'tcp', listen: true });
    const alice = await openSocket({ protocol: 'tcp' });
    const bobHears = new SocketEvents(bob);
    const aliceHears = new SocketEvents(alice);
    const [one, two] = await Promise.all([
      alice.send(sipRequest('OPTIONS'), { remote: bob.local }),
      alice.send(sipRequest('MESSAGE', 'x'), { remote: bob.local }),
    ]);
    expect(two.id).toBe(one.id);
    const inbound = await bobHears.message(0);
    const back = await bob.send(sipResponse('200 OK'), { remote: one.local });
    expect(back.id).toBe(inbound.flow.id);
    expect((await aliceHears.message(0)).flow.id).toBe(one.id);
  });

  it('answers a CRLFCRLF ping with a CRLF pong and frames what follows (RFC 5626 §4.4.1)', async () => {
    const bob = await openSocket({ protocol: 'tcp', listen: true });
    const bobHears = new SocketEvents(bob);
    const peer = await rawPeer(bob.local.port);
    peer.socket.write('\r\n\r\n');
    peer.socket.write(sipRequest('OPTIONS').slice(0, 30));
    peer.socket.write(sipRequest('OPTIONS').slice(30) + sipRequest('MESSAGE', 'two'));
    expect((await bobHears.message(1)).raw).toBe(sipRequest('MESSAGE', 'two'));
    expect(bobHears.messages[0]!.raw).toBe(sipRequest('OPTIONS'));
    expect(await peer.receivedAtLeast(2)).toBe('\r\n');
  });

  it('cuts off a peer that sends a message without Content-Length', async () => {
    const bob = await openSocket({ protocol: 'tcp', listen: true });
    const bobHears = new SocketEvents(bob);
    const peer = await rawPeer(bob.local.port);
    peer.socket.write('OPTIONS sip:bob@lab.test SIP/2.0\r\nCall-ID: x\r\n\r\n');
    const closed = await bobHears.flowClosed(0);
    expect(closed.error).toBeInstanceOf(TransportError);
    expect(closed.error!.message).toMatch(/cut off: message without Content-Length/);
    await peer.closed;
  });

  it('cuts off a peer whose pending bytes exceed maxMessageBytes', async () => {
    const bob = await openSocket({ protocol: 'tcp', listen: true, maxMessageBytes: 1_000 });
    const bobHears = new SocketEvents(bob);
    const peer = await rawPeer(bob.local.port);
    peer.socket.write(`INVITE sip:bob@lab.test SIP/2.0\r\nX-Filler: ${'a'.repeat(2_000)}`);
    const closed = await bobHears.flowClosed(0);
    expect(closed.error).toMatchObject({ name: 'TransportError', protocol: 'tcp' });
    expect(closed.error!.message).toMatch(/exceeds the limit of 1000 bytes/);
    expect(bobHears.messages).toEqual([]);
    await peer.closed;
  });

  it('reports a connection that drops mid-message as abnormal', async () => {
    const bob = await openSocket({ protocol: 'tcp', listen: true });
    const bobHears = new SocketEvents(bob);
    const peer = await rawPeer(bob.local.port);
    peer.socket.end(sipRequest('MESSAGE', 'cut short').slice(0, -3));
    const closed = await bobHears.flowClosed(0);
    expect(closed.error?.message).toMatch(/closed in the middle of a message/);
  });
});

describe('tls', () => {
  it('refuses a self-signed server by default, naming the address and the fix', async () => {
    const certificate = await makeTestCertificate();
    const bob = await openSocket({ protocol: 'tls', listen: true, tls: certificate });
    const alice = await openSocket({ protocol: 'tls' });
    const sending = alice.send(sipRequest('OPTIONS'), { remote: bob.local });
    await expect(sending).rejects.toBeInstanceOf(TransportError);
    await expect(sending).rejects.toThrow(`tls handshake with 127.0.0.1:${bob.local.port} failed: certificate not trusted`);
  });

  it('trusts the server with tls.ca set to its certificate, checking the servername', async () => {
    const certificate = await makeTestCertificate();
    const bob = await openSocket({ protocol: 'tls', listen: true, tls: certificate });
    const trusting = await openSocket({ protocol: 'tls', tls: { ca: certificate.cert, servername: 'lab.test' } });
    await expect(trusting.send(sipRequest('OPTIONS'), { remote: bob.local })).resolves.toMatchObject({ protocol: 'tls' });
    const wrongName = await openSocket({ protocol: 'tls', tls: { ca: certificate.cert, servername: 'other.test' } });
    await expect(wrongName.send(sipRequest('OPTIONS'), { remote: bob.local })).rejects.toThrow(/tls\.servername/);
  });

  it('accepts it with rejectUnauthorized false (--insecure)', async () => {
    const certificate = await makeTestCertificate();
    const bob = await openSocket({ protocol: 'tls', listen: true, tls: certificate });
    const bobHears = new SocketEvents(bob);
    const alice = await openSocket({ protocol: 'tls', tls: { rejectUnauthorized: false } });
    await alice.send(sipRequest('OPTIONS'), { remote: bob.local });
    expect((await bobHears.message(0)).raw).toBe(sipRequest('OPTIONS'));
  });

  it('will not listen without certificate and key', async () => {
    const socket = createSipSocket({ protocol: 'tls', listen: true });
    await expect(socket.open()).rejects.toThrow('tls listening socket needs tls.cert and tls.key (PEM)');
  });
});
