import { remoteKey } from './socket-helpers.js';
import type { Endpoint, Flow } from './types.js';

/**
 * The open connections of one connection-oriented socket (tcp, tls, ws, wss), found by flow id
 * or by remote. A connection is reused for any send to a remote it was opened from or to,
 * whichever side opened it (RFC 3261 §18.2.2 sends responses back on the request's connection),
 * and concurrent sends to a new remote share one connection attempt.
 */
export class ConnectionTable<C extends { flow: Flow }> {
  private readonly byFlowId = new Map<string, C>();
  private readonly byRemote = new Map<string, C>();
  /** Keys in `byRemote` that lead to each connection. */
  private readonly remoteKeys = new Map<C, string[]>();
  private readonly dialing = new Map<string, Promise<C>>();

  /** `isOpen` tells a connection that can still carry a message from one closing or closed. */
  constructor(private readonly isOpen: (connection: C) => boolean) {}

  /** The connection of `flowId`, if it is still open. */
  openFlow(flowId: string): C | undefined {
    const connection = this.byFlowId.get(flowId);
    return connection && this.isOpen(connection) ? connection : undefined;
  }

  /** An open connection to `remote`, if there is one. */
  openTo(remote: Endpoint): C | undefined {
    const connection = this.byRemote.get(remoteKey(remote));
    return connection && this.isOpen(connection) ? connection : undefined;
  }

  /** Runs `dial` unless a dial to the same remote is already under way, whose promise is shared. */
  dialOnce(remote: Endpoint, dial: () => Promise<C>): Promise<C> {
    const key = remoteKey(remote);
    let pending = this.dialing.get(key);
    if (!pending) {
      pending = dial().finally(() => this.dialing.delete(key));
      this.dialing.set(key, pending);
    }
    return pending;
  }

  /** Adds an established connection, found by its flow id and by its remote. */
  adopt(connection: C): void {
    this.byFlowId.set(connection.flow.id, connection);
    this.remember(connection, connection.flow.remote);
  }

  /** Also finds `connection` by `remote` (the address it was dialled at, when that differs). */
  remember(connection: C, remote: Endpoint): void {
    const key = remoteKey(remote);
    const keys = this.remoteKeys.get(connection) ?? [];
    if (keys.includes(key)) return;
    keys.push(key);
    this.remoteKeys.set(connection, keys);
    this.byRemote.set(key, connection);
  }

  /** Drops a closed connection; a newer connection to the same remote stays. */
  forget(connection: C): void {
    this.byFlowId.delete(connection.flow.id);
    for (const key of this.remoteKeys.get(connection) ?? []) {
      if (this.byRemote.get(key) === connection) this.byRemote.delete(key);
    }
    this.remoteKeys.delete(connection);
  }

  all(): C[] {
    return [...this.byFlowId.values()];
  }
}
