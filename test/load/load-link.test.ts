import dgram from 'node:dgram';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { openLoadLink } from '../../src/load/engine/load-link.js';

/** The load engine's UDP link: one socket connected to the proxy. */
describe('the load engine\'s UDP link', () => {
  it('sends to the proxy it is connected to, and hears its replies', async () => {
    const proxy = dgram.createSocket('udp4');
    proxy.bind(0, '127.0.0.1');
    await once(proxy, 'listening');
    const link = await openLoadLink('udp', { address: '127.0.0.1', port: proxy.address().port }, '127.0.0.1');
    const heard = new Promise<string>((resolve) => link.onMessage(resolve));
    const arrived = once(proxy, 'message');
    link.send('OPTIONS sip:proxy SIP/2.0\r\n\r\n');
    const [datagram, from] = (await arrived) as [Buffer, dgram.RemoteInfo];
    expect(datagram.toString()).toBe('OPTIONS sip:proxy SIP/2.0\r\n\r\n');
    expect(from.port).toBe(link.local.port);
    proxy.send('SIP/2.0 200 OK\r\n\r\n', from.port, from.address);
    expect(await heard).toBe('SIP/2.0 200 OK\r\n\r\n');
    await link.close();
    proxy.close();
  });

  it('a proxy it cannot connect to (the other address family) is an error at open, not a link whose every send throws', async () => {
    await expect(openLoadLink('udp', { address: '::1', port: 5060 }, '127.0.0.1')).rejects.toThrow(/EINVAL/);
  });
});
