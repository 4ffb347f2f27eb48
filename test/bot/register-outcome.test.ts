import dgram from 'node:dgram';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { RegistrationError } from '../../src/bot/errors.js';
import { failoverReason, registerOutcome } from '../../src/bot/failover.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';
import { TransportError, type Endpoint } from '../../src/sip/transport/types.js';

/** A loopback UDP "registrar" that answers every REGISTER with 408 Request Timeout. */
async function registrar() {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (data, from) => {
    const headers = data.toString('latin1').split('\r\n').filter((line) => /^(Via|From|To|Call-ID|CSeq)\s*:/i.test(line));
    socket.send(`SIP/2.0 408 Request Timeout\r\n${headers.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { endpoint: { address: '127.0.0.1', port: (socket.address() as AddressInfo).port }, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

/** A loopback TCP port nothing listens on (bound, then closed). */
async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** alice REGISTERs once at `server` over `transport`; what her registration rejected with. */
async function registerError(server: Endpoint, transport: 'udp' | 'tcp'): Promise<RegistrationError> {
  const config = await loadBotsFile('bots/lab.yaml', {});
  const alice = new Bot({ account: { ...config.bots.get('alice')!, transport }, server, events: new EventStream() });
  cleanups.push(() => alice.stop());
  await alice.start();
  const error: unknown = await alice.register().then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RegistrationError);
  return error as RegistrationError;
}

describe('a REGISTER’s failure says whether the server answered (RFC 3263 §4.3 weighs that)', () => {
  it('the registrar answers 408: a response it sent (sip.js no longer passes it off as its own timeout), no reason to move on', async () => {
    const server = await registrar();
    cleanups.push(server.close);
    const error = await registerError(server.endpoint, 'udp');
    expect(error.status).toBe(408);
    expect(error.came).toEqual({ local: false, provisional: false });
    expect(failoverReason(registerOutcome(error, undefined)!)).toBeUndefined();
  });

  it('nothing listens on the TCP port: sip.js’s own 503, a transport error, a reason to move on', async () => {
    const closed = await freeTcpPort();
    const error = await registerError({ address: '127.0.0.1', port: closed }, 'tcp');
    expect(error.status).toBe(503);
    expect(error.came).toEqual({ local: true, provisional: false });
    expect(failoverReason(registerOutcome(error, undefined)!)).toMatch(/^the transport could not send/);
    // sip.js kept only its 503; the transport's own error came through as its cause, with Node's errno.
    expect(error.cause).toBeInstanceOf(TransportError);
    const refused = error.cause as TransportError;
    expect(refused).toMatchObject({ protocol: 'tcp', remote: { address: '127.0.0.1', port: closed } });
    expect(refused.cause).toMatchObject({ code: 'ECONNREFUSED' });
    // What the bot hands registerOutcome (its last send error), and that error thrown by itself: both a transport failure.
    expect(failoverReason(registerOutcome(error, refused)!)).toBe(`the transport could not send (${refused.message})`);
    expect(registerOutcome(refused, undefined)).toMatchObject({ status: 503, local: true, sendError: refused });
  });

  it('an error whose text merely mentions a connection is no transport failure: the type and errno decide, not the words', () => {
    expect(registerOutcome(new Error('bad connection string in config'), undefined)).toBeUndefined();
    expect(registerOutcome(new Error('transport "sctp" refused: not supported'), undefined)).toBeUndefined();
    const refused = new TransportError('tcp connect to 127.0.0.1:5070 failed', 'tcp', { address: '127.0.0.1', port: 5070 }, { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5070'), { code: 'ECONNREFUSED' }) });
    expect(failoverReason(registerOutcome(refused, undefined)!)).toBe('the transport could not send (tcp connect to 127.0.0.1:5070 failed)');
    const errno = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    expect(failoverReason(registerOutcome(errno, undefined)!)).toBe('the transport could not send (write EPIPE)');
  });

  it("a 503 with Retry-After is still a reason to move to the next server target (RFC 3261 §21.5.4: an alternate server whatever its Retry-After says)", () => {
    const busy = new RegistrationError('alice', 'sip:alice@lab.test', 503, 'Service Unavailable', { local: false, provisional: false, retryAfterS: 30 });
    const outcome = registerOutcome(busy, undefined);
    expect(outcome).toMatchObject({ status: 503, local: false, retryAfterS: 30 });
    expect(failoverReason(outcome!)).toBe('503 Service Unavailable from the server');
    expect(busy.message).toBe('alice (sip:alice@lab.test) could not register: 503 Service Unavailable (the server asked to be tried again in 30 s: Retry-After)');
  });
});

