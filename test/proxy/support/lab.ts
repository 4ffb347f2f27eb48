import { EventStream } from '../../../src/events/event-stream.js';
import type { SipbotsEvent } from '../../../src/events/types.js';
import { LabProxy } from '../../../src/proxy/lab-proxy.js';
import type { LabProxyOptions } from '../../../src/proxy/proxy-options.js';
import { serializeSipMessage } from '../../../src/sip/message/serialize-message.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/sip-message.js';
import type { TransportProtocol } from '../../../src/sip/transport/types.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { FakeNetwork } from './fake-network.js';
import { settle, TestPhone } from './phone.js';

export const PASSWORDS: Record<string, string> = { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' };

export interface Lab {
  network: FakeNetwork;
  clock: FakeClock;
  proxy: LabProxy;
  events: SipbotsEvent[];
  phone(user: string, protocol?: TransportProtocol): Promise<TestPhone>;
  stop(): Promise<void>;
}

/** A proxy on fake UDP and TCP listeners with alice, bob and carol as users, on a fake clock. */
export async function startLab(overrides: Partial<LabProxyOptions> = {}, protocols: TransportProtocol[] = ['udp', 'tcp']): Promise<Lab> {
  const network = new FakeNetwork();
  const clock = new FakeClock();
  const stream = new EventStream();
  const events: SipbotsEvent[] = [];
  stream.subscribe((e) => events.push(e));
  const listeners = protocols.map((p) => network.socket(p));
  const proxy = new LabProxy({ users: new Map(Object.entries(PASSWORDS)), listeners, clock, events: stream, ...overrides });
  await proxy.start();
  const endpointOf = (protocol: TransportProtocol) => listeners.find((l) => l.protocol === protocol)!.local;
  return {
    network,
    clock,
    proxy,
    events,
    async phone(user, protocol = 'udp') {
      const socket = network.socket(protocol);
      await socket.open();
      return new TestPhone(socket, user, PASSWORDS[user] ?? 'unknown', () => endpointOf(protocol));
    },
    stop: () => proxy.stop(),
  };
}

/** REGISTER → 401 → REGISTER with Authorization → 200, as in the iptel captures. */
export async function register(phone: TestPhone, options: { expires?: number } = {}): Promise<SipResponse> {
  const headers: [string, string][] = options.expires === undefined ? [] : [['Expires', String(options.expires)]];
  const first = phone.request('REGISTER', `sip:${phone.domain}`, { to: `<sip:${phone.user}@${phone.domain}>`, headers });
  await phone.send(first);
  await settle();
  const challenge = phone.lastResponse(401);
  await phone.send(phone.withCredentials(first, challenge));
  await settle();
  return phone.lastResponse();
}

/**
 * The caller's half of the iptel INVITE dance: INVITE → 100 → 407 → ACK (same branch) →
 * INVITE with Proxy-Authorization. Returns the authenticated INVITE as sent.
 */
export async function inviteWithAuth(caller: TestPhone, callee: string, body = ''): Promise<SipRequest> {
  const uri = `sip:${callee}@${caller.domain}`;
  const first = caller.request('INVITE', uri, { body, headers: body ? [['Content-Type', 'application/sdp']] : [] });
  await caller.send(first);
  await settle();
  const challenge = caller.lastResponse(407);
  await caller.send(ackFor(first, challenge));
  const second = caller.withCredentials(first, challenge);
  await caller.send(second);
  await settle();
  return second;
}

/** RFC 3261 §17.1.1.3 ACK for a non-2xx final: same branch, To from the response. */
export function ackFor(invite: SipRequest, response: SipResponse): string {
  return serializeSipMessage(invite)
    .replace(/^INVITE /, 'ACK ')
    .replace(/CSeq: (\d+) INVITE/, 'CSeq: $1 ACK')
    .replace(/\r\nTo: [^\r\n]*/, `\r\nTo: ${response.headers.find((h) => h.key === 'to')!.value}`)
    .replace(/\r\nProxy-Authorization: [^\r\n]*/, '')
    .replace(/Content-Length: \d+\r\n\r\n[\s\S]*$/, 'Content-Length: 0\r\n\r\n');
}
