import { describe, expect, it } from 'vitest';
import { InviteServerState, InviteServerTransaction } from '../../../src/sip/transaction/invite-server.js';
import { NonInviteServerState, NonInviteServerTransaction } from '../../../src/sip/transaction/non-invite-server.js';
import { timerPolicy } from '../../../src/sip/transaction/timer-policy.js';
import { IllegalTransactionMoveError } from '../../../src/sip/transaction/transaction-errors.js';
import { Ladder } from './support.js';

const udp = timerPolicy('unreliable');
const tcp = timerPolicy('reliable');

function invite(ladder: Ladder, policy = udp): InviteServerTransaction {
  return new InviteServerTransaction('z9hG4bK9|INVITE', ladder.clock, policy, ladder.owner, ladder.serverUser);
}

describe('INVITE server transaction (RFC 3261 §17.2.1)', () => {
  it('bob rings then answers 486: a retransmitted INVITE gets the 180 again, Timer G re-sends the 486 until the ACK, ACK copies are absorbed, Timer I ends it', () => {
    const ladder = new Ladder();
    const tx = invite(ladder);
    expect(tx.receive('INVITE')).toBe('absorb');
    tx.responded(180);
    ladder.at(0.5);
    expect(tx.receive('INVITE')).toBe('absorb');
    ladder.at(1);
    tx.responded(486);
    expect(tx.state).toBe(InviteServerState.Completed);
    ladder.at(4.6);
    expect(tx.receive('INVITE')).toBe('absorb');
    expect(tx.receive('ACK')).toBe('pass');
    expect(tx.state).toBe(InviteServerState.Confirmed);
    expect(tx.holdsUser()).toBe(false);
    expect(tx.receive('ACK')).toBe('absorb');
    expect(tx.receive('INVITE')).toBe('absorb');
    ladder.at(20);
    expect(ladder.steps).toEqual(['0.5 response again', '1.5 response again', '2.5 response again', '4.5 response again', '4.6 response again', '9.6 terminated']);
    expect(ladder.clock.pendingTimers()).toBe(0);
  });

  it('the ACK never comes: Timer G at T1 doubling to T2, Timer H gives up at 64·T1', () => {
    const ladder = new Ladder();
    const tx = invite(ladder);
    tx.responded(603);
    ladder.at(40);
    expect(ladder.steps).toEqual([
      '0.5 response again',
      '1.5 response again',
      '3.5 response again',
      '7.5 response again',
      '11.5 response again',
      '15.5 response again',
      '19.5 response again',
      '23.5 response again',
      '27.5 response again',
      '31.5 response again',
      '32 terminated',
      '32 timeout',
    ]);
    expect(tx.state).toBe(InviteServerState.Terminated);
  });

  it('2xx: Accepted keeps only its key, absorbs INVITE copies, lets the TU re-send its 2xx, refuses any other response, Timer L ends it', () => {
    const ladder = new Ladder();
    const tx = invite(ladder);
    tx.responded(200);
    expect(tx.state).toBe(InviteServerState.Accepted);
    expect(tx.holdsUser()).toBe(false);
    expect(tx.receive('INVITE')).toBe('absorb');
    tx.responded(200);
    expect(() => tx.responded(486)).toThrow(IllegalTransactionMoveError);
    ladder.at(40);
    expect(ladder.steps).toEqual(['32 terminated']);
  });

  it('over TCP: no Timer G, and Timer I is zero: the ACK ends it', () => {
    const ladder = new Ladder();
    const tx = invite(ladder, tcp);
    tx.responded(486);
    ladder.at(3);
    expect(tx.receive('ACK')).toBe('pass');
    expect(ladder.steps).toEqual(['3 terminated']);
    expect(() => tx.receive('ACK')).toThrow('INVITE server transaction z9hG4bK9|INVITE: cannot receive ACK in state terminated');
  });

  it('a second final response is an illegal move', () => {
    const ladder = new Ladder();
    const tx = invite(ladder);
    tx.responded(486);
    expect(() => tx.responded(200)).toThrow(IllegalTransactionMoveError);
  });
});

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('a copy in Trying is discarded; after the 200 each copy gets the 200 again until Timer J (64·T1)', () => {
    const ladder = new Ladder();
    const tx = new NonInviteServerTransaction('z9hG4bK7|BYE', ladder.clock, udp, ladder.owner, ladder.serverUser);
    expect(tx.receive()).toBe('absorb');
    ladder.at(0.1);
    tx.responded(200);
    expect(tx.state).toBe(NonInviteServerState.Completed);
    ladder.at(0.5);
    expect(tx.receive()).toBe('absorb');
    expect(() => tx.responded(200)).toThrow(IllegalTransactionMoveError);
    ladder.at(40);
    expect(ladder.steps).toEqual(['0.5 response again', '32.1 terminated']);
    expect(ladder.clock.pendingTimers()).toBe(0);
  });

  it('a provisional first: copies in Proceeding get it again', () => {
    const ladder = new Ladder();
    const tx = new NonInviteServerTransaction('z9hG4bK7|REGISTER', ladder.clock, udp, ladder.owner, ladder.serverUser);
    tx.responded(100);
    expect(tx.state).toBe(NonInviteServerState.Proceeding);
    expect(tx.receive()).toBe('absorb');
    expect(ladder.steps).toEqual(['0 response again']);
  });

  it('over TCP Timer J is zero: the final response ends it', () => {
    const ladder = new Ladder();
    const tx = new NonInviteServerTransaction('z9hG4bK7|OPTIONS', ladder.clock, tcp, ladder.owner, ladder.serverUser);
    tx.responded(200);
    expect(tx.state).toBe(NonInviteServerState.Terminated);
    expect(ladder.terminated).toEqual(['z9hG4bK7|OPTIONS']);
  });
});
