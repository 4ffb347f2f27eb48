#!/usr/bin/env node
// Send one SIP OPTIONS to 127.0.0.1 over udp|tcp|tls|ws|wss and print the status line of
// the reply. Exit 0 on any final reply, 1 on timeout or error. Used by kamailio.sh to wait
// for readiness and by hand to check each listener.
// Usage: node sip-probe.mjs <udp|tcp|tls|ws|wss> <port> [timeoutMs]
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const [transport, portArg, timeoutArg] = process.argv.slice(2);
const port = Number(portArg);
const timeoutMs = Number(timeoutArg ?? 1000);
const host = '127.0.0.1';
if (!['udp', 'tcp', 'tls', 'ws', 'wss'].includes(transport) || !Number.isInteger(port)) {
  process.stderr.write('usage: sip-probe.mjs <udp|tcp|tls|ws|wss> <port> [timeoutMs]\n');
  process.exit(2);
}

function options(localPort) {
  const via = { udp: 'UDP', tcp: 'TCP', tls: 'TLS', ws: 'WS', wss: 'WSS' }[transport];
  const id = randomBytes(6).toString('hex');
  return [
    `OPTIONS sip:${host}:${port} SIP/2.0`,
    `Via: SIP/2.0/${via} ${host}:${localPort};branch=z9hG4bK${id};rport`,
    'Max-Forwards: 70',
    `From: <sip:probe@lab.test>;tag=${id}`,
    `To: <sip:${host}:${port}>`,
    `Call-ID: probe-${id}`,
    'CSeq: 1 OPTIONS',
    `Contact: <sip:probe@${host}:${localPort};transport=${transport}>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const finish = (reply) => {
  const status = reply.split('\r\n')[0];
  if (/^SIP\/2\.0 [2-6]\d\d/.test(status)) {
    process.stdout.write(`${transport}:${port} ${status}\n`);
    process.exit(0);
  }
};
const fail = (why) => {
  process.stderr.write(`${transport}:${port} no reply: ${why}\n`);
  process.exit(1);
};
setTimeout(() => fail(`timeout after ${timeoutMs} ms`), timeoutMs).unref();

if (transport === 'udp') {
  const socket = dgram.createSocket('udp4');
  socket.on('error', (err) => fail(err.message));
  socket.on('message', (msg) => finish(msg.toString()));
  socket.bind(0, host, () => socket.send(options(socket.address().port), port, host));
} else if (transport === 'tcp' || transport === 'tls') {
  const socket =
    transport === 'tcp'
      ? net.connect({ host, port })
      : tls.connect({ host, port, servername: 'lab.test', rejectUnauthorized: false });
  let buffer = '';
  socket.on('error', (err) => fail(err.message));
  socket.on(transport === 'tcp' ? 'connect' : 'secureConnect', () => socket.write(options(socket.localPort)));
  socket.on('data', (chunk) => {
    buffer += chunk.toString();
    if (buffer.includes('\r\n\r\n')) finish(buffer);
  });
} else {
  // ws resolves from the repository's node_modules.
  const WebSocket = createRequire(import.meta.url)('ws');
  const socket = new WebSocket(`${transport}://${host}:${port}`, 'sip', { rejectUnauthorized: false });
  socket.on('error', (err) => fail(err.message));
  socket.on('open', () => socket.send(options(socket._socket.localPort)));
  socket.on('message', (data) => finish(data.toString()));
}
