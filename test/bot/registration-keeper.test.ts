import { describe, expect, it } from 'vitest';
import { RegistrationKeeper, type KeptRegistration } from '../../src/bot/registration-keeper.js';
import type { RegisterHandlers, RegistrationState } from '../../src/sip/ua/registration.js';
import type { FinalResponseLine } from '../../src/sip/ua/response-line.js';
import { FakeClock } from '../../src/util/fake-clock.js';
import { silentLogger } from '../../src/util/logger.js';

const TIMEOUT: FinalResponseLine = { status: 408, reason: 'Request Timeout', local: true, provisional: false };

/** Just enough of a Registration: a state, its change listeners, and register() answered by `answer` (a refusal is `refusal`). */
function fakeRegistration(answer: () => 'accept' | 'reject', refusal: () => FinalResponseLine = () => TIMEOUT) {
  const listeners: Array<(state: RegistrationState) => void> = [];
  const refusedListeners: Array<(response: FinalResponseLine) => void> = [];
  const setState = (state: RegistrationState) => {
    fake.state = state;
    for (const listener of listeners) listener(state);
  };
  const fake = {
    state: 'registered' as RegistrationState,
    attempts: 0,
    onStateChange(listener: (state: RegistrationState) => void) {
      listeners.push(listener);
    },
    onRefused(listener: (response: FinalResponseLine) => void) {
      refusedListeners.push(listener);
    },
    register(handlers: RegisterHandlers = {}) {
      fake.attempts++;
      if (answer() === 'accept') setState('registered');
      else fake.refuse(refusal(), handlers);
      return Promise.resolve();
    },
    /** As sip.js does: unregistered first, then the refusal's listeners, then the caller's onReject. */
    refuse(response: FinalResponseLine, handlers: RegisterHandlers = {}) {
      setState('unregistered');
      for (const listener of refusedListeners) listener(response);
      handlers.onReject?.(response);
    },
    lose() {
      setState('unregistered');
    },
  } satisfies KeptRegistration & { attempts: number; lose(): void; refuse(response: FinalResponseLine, handlers?: RegisterHandlers): void };
  return fake;
}

describe('RegistrationKeeper', () => {
  it('retries a lost registration every retryMs until the registrar answers, then stops retrying', () => {
    const clock = new FakeClock();
    let serverUp = false;
    const registration = fakeRegistration(() => (serverUp ? 'accept' : 'reject'));
    const keeper = new RegistrationKeeper(registration, clock, silentLogger, { retryMs: 1000, maxWaitMs: 60_000 });
    registration.lose(); // the refresh failed: the server is gone
    clock.advance(3500);
    expect(registration.attempts).toBe(3);
    serverUp = true;
    clock.advance(1000);
    expect(registration.attempts).toBe(4);
    expect(registration.state).toBe('registered');
    clock.advance(10_000);
    expect(registration.attempts).toBe(4);
    keeper.stop();
  });

  it('a refused retry that moved the bot to the next server target (RFC 3263 §4.3) is tried there at once', () => {
    const clock = new FakeClock();
    let target = 0;
    const registration = fakeRegistration(() => (target === 1 ? 'accept' : 'reject'));
    const told: number[] = [];
    const keeper = new RegistrationKeeper(registration, clock, silentLogger, { retryMs: 1000, maxWaitMs: 60_000, nextTarget: (response) => {
      told.push(response.status);
      if (target === 1) return false;
      target = 1;
      return true;
    } });
    registration.lose();
    clock.advance(1000);
    // The retry at the first target was refused; the second, at the next target, came at once.
    expect(registration.attempts).toBe(2);
    expect(told).toEqual([408]);
    expect(registration.state).toBe('registered');
    keeper.stop();
  });

  it('does nothing once stopped (the bot is shutting down and unregistering)', () => {
    const clock = new FakeClock();
    const registration = fakeRegistration(() => 'reject');
    const keeper = new RegistrationKeeper(registration, clock, silentLogger, { retryMs: 1000, maxWaitMs: 60_000 });
    keeper.stop();
    registration.lose();
    clock.advance(5000);
    expect(registration.attempts).toBe(0);
  });

  it('a refused refresh with Retry-After: 3 (a 503 from an overloaded registrar) is retried after 3 s, not at retryMs; the finding is told', () => {
    const clock = new FakeClock();
    let serverUp = false;
    const busy: FinalResponseLine = { status: 503, reason: 'Service Unavailable', local: false, provisional: false, retryAfterS: 3 };
    const registration = fakeRegistration(() => (serverUp ? 'accept' : 'reject'), () => busy);
    const asked: number[] = [];
    const keeper = new RegistrationKeeper(registration, clock, silentLogger, { retryMs: 1000, maxWaitMs: 60_000, serverAsked: (_, wait) => asked.push(wait.waitMs) });
    registration.refuse(busy); // sip.js's own refresh, refused
    expect(asked).toEqual([3000]);
    clock.advance(2999);
    expect(registration.attempts).toBe(0);
    clock.advance(1);
    expect(registration.attempts).toBe(1); // refused again, Retry-After 3 again
    clock.advance(2999);
    expect(registration.attempts).toBe(1);
    serverUp = true;
    clock.advance(1);
    expect(registration.attempts).toBe(2);
    expect(registration.state).toBe('registered');
    keeper.stop();
  });

  it('a Retry-After longer than the binding lives is waited for up to maxWaitMs only; one shorter than retryMs keeps retryMs', () => {
    const clock = new FakeClock();
    const registration = fakeRegistration(() => 'reject', () => ({ status: 500, reason: 'Server Internal Error', local: false, provisional: false, retryAfterS: 0 }));
    const waits: [number, boolean][] = [];
    const keeper = new RegistrationKeeper(registration, clock, silentLogger, { retryMs: 1000, maxWaitMs: 10_000, serverAsked: (_, wait) => waits.push([wait.waitMs, wait.capped]) });
    registration.refuse({ status: 503, reason: 'Service Unavailable', local: false, provisional: false, retryAfterS: 3600 });
    clock.advance(9999);
    expect(registration.attempts).toBe(0);
    clock.advance(1);
    expect(registration.attempts).toBe(1);
    clock.advance(1000);
    expect(registration.attempts).toBe(2);
    expect(waits.slice(0, 2)).toEqual([[10_000, true], [0, false]]);
    keeper.stop();
  });
});
