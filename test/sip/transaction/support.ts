import { FakeClock } from '../../../src/util/fake-clock.js';

/**
 * A ladder of what a transaction did, in seconds since the start: `0.5 retransmit`,
 * `32 timeout`, `32 terminated`. Reads like the wire in the tests.
 */
export class Ladder {
  readonly clock = new FakeClock(0);
  readonly steps: string[] = [];
  readonly terminated: string[] = [];

  note(what: string): void {
    this.steps.push(`${this.clock.now() / 1000} ${what}`);
  }

  owner = {
    terminated: (key: string) => {
      this.terminated.push(key);
      this.note('terminated');
    },
  };

  clientUser = {
    retransmitRequest: () => this.note('request again'),
    sendAck: () => this.note('ACK'),
    timedOut: () => this.note('timeout'),
  };

  serverUser = {
    retransmitResponse: () => this.note('response again'),
    timedOut: () => this.note('timeout'),
  };

  /** Advance to `seconds` since the start. */
  at(seconds: number): void {
    this.clock.advance(seconds * 1000 - this.clock.now());
  }
}
