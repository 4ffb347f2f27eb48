/**
 * Registration was refused (401 after credentials, 403, …): wrong account or password. When
 * sip.js made up the response (a 503 for a send the transport refused), `cause` is the
 * transport's own error, which sip.js does not keep.
 */
export class RegistrationError extends Error {
  constructor(
    readonly bot: string,
    readonly aor: string,
    readonly status: number,
    readonly reason: string,
    /**
     * How the response came (RFC 3263 §4.3 failover weighs it): made up by sip.js, after a
     * provisional one; and the seconds its Retry-After asked for (RFC 3261 §20.33), if any.
     */
    readonly came: { local: boolean; provisional: boolean; retryAfterS?: number } = { local: false, provisional: false },
    options?: { cause?: unknown },
  ) {
    const hint = status === 401 || status === 403 ? ' (check the user, auth user and password)' : came.retryAfterS === undefined ? '' : ` (the server asked to be tried again in ${came.retryAfterS} s: Retry-After)`;
    super(`${bot} (${aor}) could not register: ${status} ${reason}${hint}`, options);
    this.name = 'RegistrationError';
  }
}

/** No answer at all from the server within the time allowed. */
export class ServerUnreachableError extends Error {
  constructor(
    readonly server: string,
    readonly transport: string,
    readonly afterMs: number,
    options?: { cause?: unknown },
  ) {
    super(`no answer from ${server} over ${transport} after ${Math.round(afterMs / 100) / 10} s`, options);
    this.name = 'ServerUnreachableError';
  }
}

/**
 * The TLS (or WSS) connection to the server failed its handshake: an untrusted or wrong
 * certificate, or no TLS at all on that port. sip.js turns that into an internal 503, which
 * said nothing about the cause; this names it, the server and the fix.
 */
export class TlsHandshakeError extends Error {
  constructor(
    readonly bot: string,
    readonly server: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${bot} could not register: TLS with ${server} failed: ${detail}; trust the server's CA (or its self-signed certificate) with --ca FILE, or skip verification with --insecure`, options);
    this.name = 'TlsHandshakeError';
  }
}
