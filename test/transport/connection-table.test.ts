import { describe, expect, it } from 'vitest';
import { ConnectionTable } from '../../src/sip/transport/connection-table.js';
import type { Endpoint, Flow } from '../../src/sip/transport/types.js';

interface FakeConnection {
  flow: Flow;
  open: boolean;
}

const LOCAL: Endpoint = { address: '127.0.0.1', port: 5060 };

function connection(id: string, remote: Endpoint): FakeConnection {
  return { flow: { id, protocol: 'tcp', local: LOCAL, remote }, open: true };
}

function table(): ConnectionTable<FakeConnection> {
  return new ConnectionTable<FakeConnection>((c) => c.open);
}

describe('ConnectionTable', () => {
  it('finds an adopted connection by its flow id and by its remote, whatever the case of the address', () => {
    const flows = table();
    const alice = connection('tcp#1', { address: 'FE80::1', port: 5070 });
    flows.adopt(alice);
    expect(flows.openFlow('tcp#1')).toBe(alice);
    expect(flows.openTo({ address: 'fe80::1', port: 5070 })).toBe(alice);
    expect(flows.openTo({ address: 'fe80::1', port: 5071 })).toBeUndefined();
  });

  it('does not hand out a connection that is no longer open', () => {
    const flows = table();
    const alice = connection('tcp#1', { address: '10.0.0.1', port: 5060 });
    flows.adopt(alice);
    alice.open = false;
    expect(flows.openFlow('tcp#1')).toBeUndefined();
    expect(flows.openTo(alice.flow.remote)).toBeUndefined();
  });

  it('also finds a dialled connection by the remote it was dialled at', () => {
    const flows = table();
    const proxy = connection('tcp#1', { address: '10.0.0.1', port: 5060 });
    flows.adopt(proxy);
    flows.remember(proxy, { address: '::ffff:10.0.0.1', port: 5060 });
    expect(flows.openTo({ address: '::ffff:10.0.0.1', port: 5060 })).toBe(proxy);
  });

  it('forgetting a closed connection keeps a newer one to the same remote', () => {
    const flows = table();
    const remote = { address: '10.0.0.1', port: 5060 };
    const first = connection('tcp#1', remote);
    const second = connection('tcp#2', remote);
    flows.adopt(first);
    flows.adopt(second);
    flows.forget(first);
    expect(flows.openFlow('tcp#1')).toBeUndefined();
    expect(flows.openTo(remote)).toBe(second);
    expect(flows.all()).toEqual([second]);
    flows.forget(second);
    expect(flows.openTo(remote)).toBeUndefined();
    expect(flows.all()).toEqual([]);
  });

  it('concurrent dials to one remote share one attempt; a later dial starts a new one', async () => {
    const flows = table();
    const remote = { address: '10.0.0.1', port: 5060 };
    let attempts = 0;
    const dial = async (): Promise<FakeConnection> => connection(`tcp#${++attempts}`, remote);
    const [a, b] = await Promise.all([flows.dialOnce(remote, dial), flows.dialOnce(remote, dial)]);
    expect(attempts).toBe(1);
    expect(a).toBe(b);
    await flows.dialOnce(remote, dial);
    expect(attempts).toBe(2);
  });

  it('a failed dial is shared by everyone waiting on it and not remembered', async () => {
    const flows = table();
    const remote = { address: '10.0.0.1', port: 5060 };
    let attempts = 0;
    const refused = async (): Promise<FakeConnection> => {
      attempts++;
      throw new Error('refused');
    };
    const results = await Promise.allSettled([flows.dialOnce(remote, refused), flows.dialOnce(remote, refused)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(attempts).toBe(1);
    await expect(flows.dialOnce(remote, refused)).rejects.toThrow('refused');
    expect(attempts).toBe(2);
  });
});
