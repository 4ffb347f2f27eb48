/**
 * Errors raised by the real-peer helpers. Each says what failed and how to fix it.
 */

/** A peer binary (kamailio, sipp, baresip, tshark) is not on PATH. */
export class PeerNotInstalledError extends Error {
  override readonly name = 'PeerNotInstalledError';
  constructor(readonly binary: string) {
    super(
      `${binary} is not installed (not found on PATH). ` +
        `Install the interop peers with: sudo scripts/peers/install.sh`,
    );
  }
}

/** A peer process failed to start or exited in a way the helper did not expect. */
export class PeerStartError extends Error {
  override readonly name = 'PeerStartError';
  constructor(
    readonly peer: string,
    message: string,
    readonly logTail: string,
    options?: { cause?: unknown },
  ) {
    super(`${peer}: ${message}${logTail ? `\n---- log tail ----\n${logTail}` : ''}`, options);
  }
}
