import { describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';

/** A bot binds where it can reach its server: the server's family decides, or the bots file does. */
describe('a bot and the address family of its server', () => {
  it('binds [::1] when its server is IPv6 and the bots file names no address', async () => {
    const alice = (await loadBotsFile('bots/lab.yaml', {})).bots.get('alice')!;
    expect(alice.bindAddress).toBeUndefined();
    expect(new Bot({ account: alice, server: { address: '::1', port: 5060 }, events: new EventStream() }).account.bindAddress).toBe('::1');
    expect(new Bot({ account: alice, server: { address: '127.0.0.1', port: 5060 }, events: new EventStream() }).account.bindAddress).toBeUndefined();
  });

  it('refuses an IPv4 bindAddress with an IPv6 server before sending anything, saying what to change', async () => {
    const alice = { ...(await loadBotsFile('bots/lab.yaml', {})).bots.get('alice')!, bindAddress: '127.0.0.1' };
    const make = () => new Bot({ account: alice, server: { address: '::1', port: 5060 }, events: new EventStream() });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/bot alice binds 127\.0\.0\.1 \(IPv4\) but its server \[::1\]:5060 is IPv6/);
  });
});
