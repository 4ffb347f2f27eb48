import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createSipSocket } from '../../src/sip/transport/create-sip-socket.js';
import { TransportError, type SipSocket, type SipSocketOptions } from '../../src/sip/transport/types.js';
import { makeTestCertificate } from '../support/tls-cert.js';
import { SocketEvents, sipRequest } from './socket-events.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function openSocket(options: SipSocketOptions): Promise<SipSocket> {
  const socket = createSipSocket(options);
  cleanups.push(() => socket.close());
  await socket.open();
  return socket;
}

/** A bare `ws` client, to control the subprotocol and frames exactly. */
async function rawClient(port: number, protocols: string[]): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, protocols);
  cleanups.push(() => ws.terminate());
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  return ws;
}

describe('ws', () => {
  it('answers a CRLFCRLF keep-alive frame with CRLF and does not hand it up', async () => {
    const bob = await openSocket({ protocol: 'ws', listen: true });
    const bobHears = new SocketEvents(bob);
    const client = await rawClient(bob.local.port, ['sip']);
    const pong = new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
    client.send('\r\n\r\n');
    expect(await pong).toBe('\r\n');
    client.send(Buffer.from(sipRequest('OPTIONS')), { binary: true });
    expect((await bobHears.message(0)).raw).toBe(sipRequest('OPTIONS'));
    expect(bobHears.messages).toHaveLength(1);
  });

  it('closes a client that offered no subprotocol at all (RFC 7118 wants sip)', async () => {
    const bob = await openSocket({ protocol: 'ws', listen: true });
    const client = await rawClient(bob.local.port, []);
    const code = await new Promise<number>((resolve) => client.once('close', (closeCode) => resolve(closeCode)));
    expect(code).toBe(1002);
  });

  it('cuts off a frame larger than maxMessageBytes', async () => {
    const bob = await openSocket({ protocol: 'ws', listen: true, maxMessageBytes: 1_000 });
    const bobHears = new SocketEvents(bob);
    const client = await rawClient(bob.local.port, ['sip']);
    client.send(sipRequest('MESSAGE', 'x'.repeat(2_000)));
    const closed = await bobHears.flowClosed(0);
    expect(closed.error).toBeInstanceOf(TransportError);
    expect(closed.error!.message).toMatch(/ws connection ws#1 with 127\.0\.0\.1:\d+ failed: Max payload size exceeded/);
    expect(bobHears.messages).toEqual([]);
  });

  it('tells a plain HTTP request that only WebSocket is spoken here', async () => {
    const bob = await openSocket({ protocol: 'ws', listen: true });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: bob.local.port, path: '/' }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).once('error', reject);
    });
    expect(status).toBe(426);
  });

  it('a send to a port nobody listens on rejects with a TransportError', async () => {
    const bob = await openSocket({ protocol: 'ws', listen: true });
    const port = bob.local.port;
    await bob.close();
    const alice = await openSocket({ protocol: 'ws' });
    await expect(alice.send(sipRequest('OPTIONS'), { remote: { address: '127.0.0.1', port } })).rejects.toThrow(
      `ws connection to 127.0.0.1:${port} refused`,
    );
  });
});

describe('wss', () => {
  it('refuses a self-signed server by default and trusts it with tls.ca', async () => {
    const certificate = await makeTestCertificate();
    const bob = await openSocket({ protocol: 'wss', listen: true, tls: certificate });
    const wary = await openSocket({ protocol: 'wss' });
    const refused = wary.send(sipRequest('OPTIONS'), { remote: bob.local });
    await expect(refused).rejects.toBeInstanceOf(TransportError);
    await expect(refused).rejects.toThrow(`wss handshake with 127.0.0.1:${bob.local.port} failed: certificate not trusted`);

    const trusting = await openSocket({ protocol: 'wss', tls: { ca: certificate.cert } });
    await expect(trusting.send(sipRequest('OPTIONS'), { remote: bob.local })).resolves.toMatchObject({ protocol: 'wss' });
    const insecure = await openSocket({ protocol: 'wss', tls: { rejectUnauthorized: false } });
    await expect(insecure.send(sipRequest('OPTIONS'), { remote: bob.local })).resolves.toMatchObject({ protocol: 'wss' });
  });
});
