import { describe, expect, it } from 'vitest';
import { RegistrationKeeper, type KeptRegistration } from '../../src/bot/registration-keeper.js';
import type { RegisterHandlers, RegistrationState } from '../../src/sip/ua/registration.js';
import { FakeClock } from '../../src/util/fake-clock.js';
import { silentLogger } from '../../src/util/logger.js';

/** Just enough of a Registration: a state, its change listeners, and register() answered by `answer`. */
function fakeRegistration(answer: () => 'accept' | 'reject') {
  const listeners: Array<(state: RegistrationState) => void> = [];
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
    register(handlers: RegisterHandlers = {}) {
      fake.attempts++;
      if (answer() === 'accept') setState('registered');
      else handlers.onReject?.({ status: 408, reason: 'Request Timeout', local: true, provisional: false });
      return Promise.resolve();
    },
    lose() {
      setState('unregistered');
    },
  } satisfies KeptRegistration & { attempts: number; lose(): void };
  return fake;
}

describe('RegistrationKeeper', () => {
  it('retries a lost registration every retryMs until the registrar answers, then stops retrying', () => {
    const clock = new FakeClock();
    let serverUp = false;
    const registration = fakeRegistration(() => (serverUp ? 'accept' : 'reject'));
    const keeper = new RegistrationKeeper(registration, clock, 1000, silentLogger);
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
    const keeper = new RegistrationKeeper(registration, clock, 1000, silentLogger, (response) => {
      told.push(response.status);
      if (target === 1) return false;
      target = 1;
      return true;
    });
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
    const keeper = new RegistrationKeeper(registration, clock, 1000, silentLogger);
    keeper.stop();
    registration.lose();
    clock.advance(5000);
    expect(registration.attempts).toBe(0);
  });
});
