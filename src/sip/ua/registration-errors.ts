/** Registration was refused (401 after credentials, 403, …): wrong account or password. */
export class RegistrationError extends Error {
  constructor(
    readonly bot: string,
    readonly aor: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${bot} (${aor}) could not register: ${status} ${reason}${status === 401 || status === 403 ? ' (check the user, auth user and password)' : ''}`);
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
