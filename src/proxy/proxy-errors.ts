/** A relay was asked to move between states its diagram does not connect: a bug in the proxy. */
export class IllegalRelayTransitionError extends Error {
  constructor(
    readonly relay: 'INVITE' | 'non-INVITE',
    readonly from: string,
    readonly to: string,
  ) {
    super(`${relay} relay cannot go from ${from} to ${to}`);
    this.name = 'IllegalRelayTransitionError';
  }
}

/** `start()` called on a proxy that is running or was stopped (its listeners are closed). */
export class ProxyStateError extends Error {
  constructor(
    readonly state: 'running' | 'stopped',
    readonly operation: 'start',
  ) {
    super(`cannot ${operation} a lab proxy that is ${state}; create a new LabProxy with fresh listeners`);
    this.name = 'ProxyStateError';
  }
}
