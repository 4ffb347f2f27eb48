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
