import { EmitterImpl, RegistererState, type Registerer } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { RegistrationKeeper } from '../../src/bot/registration-keeper.js';
import { FakeClock } from '../../src/util/fake-clock.js';
import { silentLogger } from '../../src/util/logger.js';

/** Just enough of a sip.js Registerer: a state, its change events, and register() answered by `answer`. */
function fakeRegisterer(answer: () => 'accept' | 'reject') {
  const stateChange = new EmitterImpl<RegistererState>();
  const fake = {
    state: RegistererState.Registered,
    stateChange,
    attempts: 0,
    register(options: { requestDelegate: { onReject: (response: { message: { statusCode: number } }) => void } }) {
      fake.attempts++;
      if (answer() === 'accept') {
        fake.state = RegistererState.Registered;
        stateChange.emit(fake.state);
      } else {
        options.requestDelegate.onReject({ message: { statusCode: 408 } });
      }
      return Promise.resolve();
    },
    lose() {
      fake.state = RegistererState.Unregistered;
      stateChange.emit(fake.state);
    },
  };
  return fake;
}

describe('RegistrationKeeper', () => {
  it('retries a lost registration every retryMs until the registrar answers, then stops retrying', () => {
    const clock = new FakeClock();
    let serverUp = false;
    const registerer = fakeRegisterer(() => (serverUp ? 'accept' : 'reject'));
    const keeper = new RegistrationKeeper(registerer as unknown as Registerer, clock, 1000, silentLogger);
    registerer.lose(); // the refresh failed: the server is gone
    clock.advance(3500);
    expect(registerer.attempts).toBe(3);
    serverUp = true;
    clock.advance(1000);
    expect(registerer.attempts).toBe(4);
    expect(registerer.state).toBe(RegistererState.Registered);
    clock.advance(10_000);
    expect(registerer.attempts).toBe(4);
    keeper.stop();
  });

  it('does nothing once stopped (the bot is shutting down and unregistering)', () => {
    const clock = new FakeClock();
    const registerer = fakeRegisterer(() => 'reject');
    const keeper = new RegistrationKeeper(registerer as unknown as Registerer, clock, 1000, silentLogger);
    keeper.stop();
    registerer.lose();
    clock.advance(5000);
    expect(registerer.attempts).toBe(0);
  });
});
