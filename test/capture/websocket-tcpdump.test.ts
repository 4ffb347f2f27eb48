import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { runCli } from '../support/run-cli.js';
import { message } from './fixtures/frames.js';
import { requireTool, startTcpdump } from './fixtures/peers.js';
import { tsharkSipCounts } from './fixtures/tshark.js';

/*
 * Real WebSocket traffic on loopback: the `ws` library's client (masked frames) and server
 * exchange a registration and a call, the INVITE sent as two fragments, while tcpdump
 * records. `sipbots ladder` must draw what tshark decodes.
 */

beforeAll(() => requireTool('tcpdump', ['--version']));

const once = <T>(emitter: { once(event: string, listener: (value: T) => void): unknown }, event: string) =>
  new Promise<T>((resolve) => emitter.once(event, resolve));

describe('sipbots ladder on a tcpdump capture of SIP over WebSocket', () => {
  it('draws every message, fragments joined, and agrees with tshark', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-ws-tcpdump-'));
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const file = join(dir, 'ws.pcap');
    const capture = await startTcpdump(['-i', 'lo', '-w', file, `tcp port ${port}`]);
    await new Promise((r) => setTimeout(r, 300));
    const reg = (start: string) => message(start, 'ws-real-reg', '1 REGISTER');
    const call = (start: string, cseq: string) => message(start, 'ws-real-call', cseq);
    try {
      const answers = new Map<string, string[]>([
        ['REGISTER', [reg('SIP/2.0 200 OK')]],
        ['INVITE', [call('SIP/2.0 180 Ringing', '1 INVITE'), call('SIP/2.0 200 OK', '1 INVITE')]],
        ['BYE', [call('SIP/2.0 200 OK', '2 BYE')]],
      ]);
      server.on('connection', (socket) => {
        socket.on('message', (data) => {
          const method = String(data).split(' ')[0]!;
          for (const answer of answers.get(method) ?? []) socket.send(answer);
        });
      });
      const client = new WebSocket(`ws://127.0.0.1:${port}/`, ['sip']);
      await once(client, 'open');
      const received: string[] = [];
      client.on('message', (data) => received.push(String(data)));
      const waitFor = async (n: number) => {
        for (let i = 0; i < 200 && received.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      };
      client.send(reg('REGISTER sip:example.com SIP/2.0'));
      await waitFor(1);
      const invite = call('INVITE sip:bob@example.com SIP/2.0', '1 INVITE');
      client.send(invite.slice(0, 80), { fin: false });
      client.send(invite.slice(80), { fin: true });
      await waitFor(3);
      client.send(call('ACK sip:bob@example.com SIP/2.0', '1 ACK'));
      client.send(call('BYE sip:bob@example.com SIP/2.0', '2 BYE'));
      await waitFor(4);
      expect(received).toHaveLength(4);
      client.close();
      await once(client, 'close');
    } finally {
      server.close();
      // libpcap hands packets over in ring blocks retired after its 1 s timeout: wait for the last.
      await new Promise((r) => setTimeout(r, 1500));
      await capture.stop();
    }
    const result = await runCli(['ladder', file]);
    expect(result.code, result.stderr).toBe(0);
    const captions = [...result.stdout.matchAll(/^ +\d+\.\d{3}s +\|<?-+([^-|<>][^|]*?)-+>?\|/gm)].map((m) => m[1]);
    expect(captions).toEqual(['REGISTER', '200 OK (REGISTER)', 'INVITE', '180 Ringing', '200 OK', 'ACK', 'BYE', '200 OK (BYE)']);
    expect(result.stderr).toMatch(/: 8 SIP messages in 2 calls; skipped .*WebSocket handshakes and control frames.*, 0 unknown/);
    expect(tsharkSipCounts(file, [`tcp.port==${port},http`])).toEqual({ messages: 8, callIds: 2 });
  }, 60_000);
});
