import dgram from 'node:dgram';
import net from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { EventStream } from '../../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../../src/lab/embedded-server.js';
import type { Endpoint } from '../../../src/sip/transport/types.js';
import { PASSWORDS } from '../../faults/support/relayed-lab.js';

export const FIXTURE_DIR = new URL('../fixtures/rfc4475', import.meta.url).pathname;

/** The torture messages by name, CRLF line ends, `{{via}}` and `{{proxy}}` filled in. */
export function tortureMessages(via: string, proxy: string): Map<string, string> {
  const messages = new Map<string, string>();
  for (const file of readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.sip')).sort()) {
    const text = readFileSync(join(FIXTURE_DIR, file), 'utf8').replace(/\r?\n/g, '\r\n').replaceAll('{{via}}', via).replaceAll('{{proxy}}', proxy);
    messages.set(file.replace(/\.sip$/, ''), text);
  }
  return messages;
}

export async function startFuzzProxy(events = new EventStream()): Promise<EmbeddedServer> {
  return startEmbeddedServer({ transports: ['udp', 'tcp', 'ws'], users: new Map(Object.entries(PASSWORDS)), domain: 'lab.test', events });
}

/** A UDP client on loopback that collects every datagram it gets. */
export async function udpClient() {
  const socket = dgram.createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (data) => received.push(data.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const local: Endpoint = { address: '127.0.0.1', port: socket.address().port };
  return {
    local,
    received,
    send: (data: string | Buffer, to: Endpoint) =>
      new Promise<void>((resolve) => socket.send(data, to.port, to.address, () => resolve())),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A TCP connection that records what comes back and whether the far end closed it. */
export async function tcpClient(to: Endpoint) {
  const socket = net.connect(to.port, to.address);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = '';
  let closed = false;
  socket.on('data', (d) => (received += d.toString('utf8')));
  socket.on('error', () => (closed = true));
  socket.on('close', () => (closed = true));
  return {
    socket,
    received: () => received,
    closed: () => closed,
    write: (data: string | Buffer) => new Promise<void>((resolve) => (closed ? resolve() : socket.write(data, () => resolve()))),
    close: () => {
      socket.destroy();
    },
  };
}

/** A WebSocket (subprotocol `sip`, RFC 7118) client. */
export async function wsClient(to: Endpoint) {
  const ws = new WebSocket(`ws://${to.address}:${to.port}`, 'sip');
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const received: string[] = [];
  let closed = false;
  ws.on('message', (d) => received.push(d.toString()));
  ws.on('close', () => (closed = true));
  ws.on('error', () => (closed = true));
  return {
    received,
    closed: () => closed,
    send: (data: string | Buffer) => new Promise<void>((resolve) => (closed || ws.readyState !== WebSocket.OPEN ? resolve() : ws.send(data, () => resolve()))),
    close: () => ws.terminate(),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await sleep(5);
  }
  return true;
}

/** OPTIONS to the proxy itself: its health check (answered 200 without a challenge). */
export function healthCheck(from: Endpoint, proxy: Endpoint, n: number): string {
  return [
    `OPTIONS sip:${proxy.address}:${proxy.port} SIP/2.0`,
    `Via: SIP/2.0/UDP ${from.address}:${from.port};rport;branch=z9hG4bK-health-${n}`,
    'Max-Forwards: 70',
    `From: <sip:health@lab.test>;tag=h${n}`,
    `To: <sip:${proxy.address}:${proxy.port}>`,
    `Call-ID: health-${n}@sipbots`,
    `CSeq: ${n} OPTIONS`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
