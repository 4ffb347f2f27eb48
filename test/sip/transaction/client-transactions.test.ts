import { describe, expect, it } from 'vitest';
import { InviteClientState, InviteClientTransaction } from '../../../src/sip/transaction/invite-client.js';
import { NonInviteClientState, NonInviteClientTransaction } from '../../../src/sip/transaction/non-invite-client.js';
import { timerPolicy } from '../../../src/sip/transaction/timer-policy.js';
import { IllegalTransactionMoveError } from '../../../src/sip/transaction/transaction-errors.js';
import { Ladder } from './support.js';

const udp = timerPolicy('unreliable');
const tcp = timerPolicy('reliable');

function invite(ladder: Ladder, policy = udp): InviteClientTransaction {
  return new InviteClientTransaction('z9hG4bK1|INVITE', ladder.clock, policy, ladder.owner, ladder.clientUser);
}

function request(ladder: Ladder, policy = udp): NonInviteClientTransaction {
  return new NonInviteClientTransaction('z9hG4bK2|REGISTER', ladder.clock, policy, ladder.owner, ladder.clientUser);
}

describe('INVITE client transaction (RFC 3261 §17.1.1)', () => {
  it('no answer over UDP: Timer A re-sends at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; Timer B ends it at 32 s', () => {
    const ladder = new Ladder();
    const tx = invite(ladder);
    ladder.at(40);
    expect(ladder.steps).toEqual([
      '0.5 request again',
      '1.5 request again',
      '3.5 request again',
      '7.5 request again',
      '15.5 request again',
      '31.5 request again',
      '32 terminated',
      '32 timeout',
    ]);
    expect(tx.state).toBe(InviteClientState.Terminated);
    expect(ladder.clock.pendingTimers()).toBe(0);
  });

  it('provisional then 486: alice stops re-sending at the 180, ACKs the 486, ACKs its retransmission again and absorbs it; Timer D ends it at 32 s', () => {
    const ladder = new Ladder();
    const tx = invite(ladder);
    ladder.at(0.7);
    expect(tx.receive({ status: 180 })).toBe('pass');
    expect(tx.state).toBe(InviteClientState.Proceeding);
    ladder.at(10);
    expect(tx.receive({ status: 180 })).toBe('pass');
    expect(tx.receive({ status: 486 })).toBe('pass');
    expect(tx.state).toBe(InviteClientState.Completed);
    ladder.at(11);
    expect(tx.receive({ status: 486 })).toBe('absorb');
    expect(tx.pendingTimers()).toEqual(['D']);
    ladder.at(50);
    expect(ladder.steps).toEqual(['0.5 request again', '10 ACK', '11 ACK', '42 terminated']);
    expect(ladder.terminated).toEqual(['z9hG4bK1|INVITE']);
    expect(ladder.clock.pendingTimers()).toBe(0);
    expect(tx.holdsUser()).toBe(false);
  });

  it('provisional then 200: Accepted keeps only its key, passes each 2xx retransmission up (the UA re-ACKs), Timer M ends it', () => {
    const ladder = new Ladder();
    const tx = invite(ladder);
    expect(tx.receive({ status: 100 })).toBe('pass');
    ladder.at(2);
    expect(tx.receive({ status: 200 })).toBe('pass');
    expect(tx.state).toBe(InviteClientState.Accepted);
    expect(tx.holdsUser()).toBe(false);
    ladder.at(2.5);
    expect(tx.receive({ status: 200 })).toBe('pass');
    expect(tx.receive({ status: 180 })).toBe('absorb');
    ladder.at(40);
    expect(ladder.steps).toEqual(['34 terminated']);
  });

  it('over TCP: no Timer A, and Timer D is zero: the 486 ends the transaction at once', () => {
    const ladder = new Ladder();
    const tx = invite(ladder, tcp);
    ladder.at(5);
    expect(tx.receive({ status: 486 })).toBe('pass');
    expect(ladder.steps).toEqual(['5 ACK', '5 terminated']);
    expect(ladder.clock.pendingTimers()).toBe(0);
  });

  it('a response after Terminated is an illegal move, with the state and key in the error', () => {
    const ladder = new Ladder();
    const tx = invite(ladder, tcp);
    tx.receive({ status: 603 });
    expect(() => tx.receive({ status: 603 })).toThrow(IllegalTransactionMoveError);
    expect(() => tx.receive({ status: 603 })).toThrow('INVITE client transaction z9hG4bK1|INVITE: cannot receive 603 in state terminated');
  });

  it('a transport error while Calling ends it at once, timers cancelled, the user told', () => {
    const ladder = new Ladder();
    const tx = invite(ladder);
    ladder.at(0.6);
    tx.transportError();
    expect(ladder.steps).toEqual(['0.5 request again', '0.6 terminated', '0.6 timeout']);
    expect(ladder.clock.pendingTimers()).toBe(0);
  });
});

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('no answer over UDP: Timer E re-sends at T1 doubling to T2, Timer F ends it at 32 s', () => {
    const ladder = new Ladder();
    request(ladder);
    ladder.at(40);
    expect(ladder.steps).toEqual([
      '0.5 request again',
      '1.5 request again',
      '3.5 request again',
      '7.5 request again',
      '11.5 request again',
      '15.5 request again',
      '19.5 request again',
      '23.5 request again',
      '27.5 request again',
      '31.5 request again',
      '32 terminated',
      '32 timeout',
    ]);
    expect(ladder.clock.pendingTimers()).toBe(0);
  });

  it('provisional then final: Timer E goes to T2 in Proceeding; in Completed the 200 copies are absorbed and the transaction keeps nothing but its key until Timer K (T4)', () => {
    const ladder = new Ladder();
    const tx = request(ladder);
    ladder.at(0.2);
    expect(tx.receive({ status: 100 })).toBe('pass');
    expect(tx.state).toBe(NonInviteClientState.Proceeding);
    ladder.at(9);
    expect(tx.receive({ status: 200 })).toBe('pass');
    expect(tx.state).toBe(NonInviteClientState.Completed);
    expect(tx.holdsUser()).toBe(false);
    expect(tx.pendingTimers()).toEqual(['K']);
    expect(tx.receive({ status: 200 })).toBe('absorb');
    ladder.at(20);
    expect(ladder.steps).toEqual(['4.2 request again', '8.2 request again', '14 terminated']);
    expect(ladder.clock.pendingTimers()).toBe(0);
  });

  it('over TCP: no Timer E and Timer K is zero', () => {
    const ladder = new Ladder();
    const tx = request(ladder, tcp);
    ladder.at(3);
    expect(tx.receive({ status: 200 })).toBe('pass');
    expect(tx.state).toBe(NonInviteClientState.Terminated);
    expect(ladder.steps).toEqual(['3 terminated']);
    expect(() => tx.receive({ status: 200 })).toThrow(IllegalTransactionMoveError);
  });

  it('abandoned (the run stops): every timer is cancelled at once', () => {
    const ladder = new Ladder();
    const tx = request(ladder);
    tx.abandon();
    expect(ladder.clock.pendingTimers()).toBe(0);
    expect(tx.state).toBe(NonInviteClientState.Terminated);
  });
});
