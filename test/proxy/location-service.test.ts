import { describe, expect, it } from 'vitest';
import { LocationService } from '../../src/proxy/location-service.js';
import { parseSipUri } from '../../src/proxy/sip-uri.js';
import type { Flow, SipSocket } from '../../src/sip/transport/types.js';
import type { Clock } from '../../src/util/clock.js';

function setUp(): { location: LocationService; clock: { t: number }; socket: SipSocket; register: (user: string, contact: string, expiresS: number, flowId?: string) => void } {
  const clock = { t: 1_000_000 };
  const fake = { now: () => clock.t } as unknown as Clock;
  const location = new LocationService(fake);
  const socket = {} as SipSocket;
  const register = (user: string, contact: string, expiresS: number, flowId = 'udp:127.0.0.1:5060'): void => {
    const flow = { id: flowId, protocol: 'udp', local: { address: '127.0.0.1', port: 5060 }, remote: { address: '127.0.0.1', port: 40000 } } as Flow;
    location.update({ user, contact, socket, flow, callId: `${user}-reg`, cseq: 1 }, expiresS);
  };
  return { location, clock, socket, register };
}

const uri = (text: string) => parseSipUri(text)!;

describe('location service: finding a phone by its contact', () => {
  it('finds each of 1,000 users by contact, and nothing for a contact nobody registered', () => {
    const { location, register } = setUp();
    for (let i = 0; i < 1000; i++) register(`u${i}`, `sip:u${i}@127.0.0.1:${20000 + i}`, 3600);
    for (const i of [0, 1, 499, 999]) expect(location.findByContact(uri(`sip:u${i}@127.0.0.1:${20000 + i}`))?.user).toBe(`u${i}`);
    // Same host and port as u5 but another user part: not u5's contact.
    expect(location.findByContact(uri('sip:u6@127.0.0.1:20005'))).toBeUndefined();
    expect(location.findByContact(uri('sip:u0@127.0.0.1:5999'))).toBeUndefined();
  });

  it('forgets a contact when it is unregistered, replaced, expired, its flow closes, or with Contact: *', () => {
    const { location, clock, socket, register } = setUp();
    register('alice', 'sip:alice@127.0.0.1:20000', 3600);
    register('alice', 'sip:alice@127.0.0.1:20000', 0);
    expect(location.findByContact(uri('sip:alice@127.0.0.1:20000'))).toBeUndefined();

    register('bob', 'sip:bob@127.0.0.1:20002', 60);
    clock.t += 61_000;
    expect(location.findByContact(uri('sip:bob@127.0.0.1:20002'))).toBeUndefined();
    register('bob', 'sip:bob@127.0.0.1:20002', 60);
    expect(location.findByContact(uri('sip:bob@127.0.0.1:20002'))?.expiresAt).toBe(clock.t + 60_000);

    register('carol', 'sip:carol@127.0.0.1:20004', 3600, 'tcp#7');
    register('dave', 'sip:dave@127.0.0.1:20006', 3600, 'tcp#8');
    location.removeFlow({} as SipSocket, 'tcp#7');
    expect(location.findByContact(uri('sip:carol@127.0.0.1:20004'))?.user).toBe('carol'); // another socket's flow of that id
    location.removeFlow(socket, 'tcp#7');
    expect(location.findByContact(uri('sip:carol@127.0.0.1:20004'))).toBeUndefined();
    expect(location.findByContact(uri('sip:dave@127.0.0.1:20006'))?.user).toBe('dave');
    location.removeAll('dave');
    expect(location.findByContact(uri('sip:dave@127.0.0.1:20006'))).toBeUndefined();
    expect(location.lookup('dave')).toEqual([]);
  });

  it('two users registering one contact: the most recent registration is found, the other once it is gone', () => {
    const { location, clock, register } = setUp();
    register('desk', 'sip:phone@127.0.0.1:20010', 3600);
    clock.t += 1000;
    register('mobile', 'sip:phone@127.0.0.1:20010', 3600);
    expect(location.findByContact(uri('sip:phone@127.0.0.1:20010'))?.user).toBe('mobile');
    register('mobile', 'sip:phone@127.0.0.1:20010', 0);
    expect(location.findByContact(uri('sip:phone@127.0.0.1:20010'))?.user).toBe('desk');
  });
});
