import type { LoadAccount } from '../plan/accounts.js';
import { ClientRequest, type ClientRequestResult } from './client-request.js';
import type { BoundLink, EngineContext } from './load-context.js';

/** REGISTERs in flight at once around a run (not measured: the load proper is what is measured). */
const SETUP_CONCURRENCY = 100;
const UNREGISTER_TIMEOUT_MS = 3000;

/** What the registrations need from their engine. */
export interface RegistrationHost {
  ctx: EngineContext;
  /** The callee link: its Contact is what every callee account registers. */
  bound: BoundLink;
  signal?: AbortSignal;
  /** Once interrupted, registering and unregistering get this long each. */
  graceMs: number;
  /** The server was found dead (ServerWatch): nothing more is sent or waited for. */
  serverStopped(): boolean;
  /** A REGISTER got no final response: evidence for the watch. */
  onTimeout(): void;
}

/**
 * The callee accounts' bindings around a load run (RFC 3261 §10): REGISTER every account on
 * the callee link before the arrivals, Expires 0 for those that registered after them.
 * SETUP_CONCURRENCY at a time; both stop early when the server is found dead, and when the run
 * is interrupted they get `graceMs` each, so that the process still exits within 5 s.
 */
export class CalleeRegistrations {
  private readonly registered: LoadAccount[] = [];
  private abortedAt: number | undefined;

  constructor(
    private readonly host: RegistrationHost,
    private readonly accounts: readonly LoadAccount[],
    private readonly expires: number,
  ) {}

  /** Registers every account; resolves with the failures by reason. */
  async register(): Promise<Record<string, number>> {
    const failures: Record<string, number> = {};
    const { ctx, signal, graceMs } = this.host;
    const abortedAt = (): number => (signal?.aborted ? (this.abortedAt ??= ctx.now()) : Infinity);
    await this.each([...this.accounts], this.expires, undefined, failures, () => abortedAt() + graceMs);
    return failures;
  }

  /** Expires 0 for every account that registered (§10.2.2); bounded when interrupted. */
  async unregister(): Promise<void> {
    const { ctx, signal, graceMs } = this.host;
    const interrupted = signal?.aborted === true;
    const deadline = interrupted ? ctx.now() + graceMs : Infinity;
    await this.each(this.registered.splice(0), 0, interrupted ? graceMs : UNREGISTER_TIMEOUT_MS, {}, () => deadline);
  }

  private async each(queue: LoadAccount[], expires: number, timeoutMs: number | undefined, failures: Record<string, number>, deadline: () => number): Promise<void> {
    const { ctx, signal } = this.host;
    const giveUp = (): boolean => this.host.serverStopped() || ctx.now() >= deadline();
    const over = (): boolean => giveUp() || (expires > 0 && signal?.aborted === true);
    const worker = async (): Promise<void> => {
      for (let account = queue.shift(); account && !over(); account = queue.shift()) {
        const result = await this.request(account, expires, timeoutMs);
        if (result.ok && expires > 0) this.registered.push(account);
        if (!result.ok) failures[result.reason ?? 'failed'] = (failures[result.reason ?? 'failed'] ?? 0) + 1;
        if (result.status === 0) this.host.onTimeout();
      }
    };
    await until(Promise.all(Array.from({ length: SETUP_CONCURRENCY }, worker)), giveUp);
  }

  private request(account: LoadAccount, expires: number, timeoutMs: number | undefined): Promise<ClientRequestResult> {
    const base = this.host.ctx;
    const ctx = timeoutMs === undefined ? base : { ...base, timeoutMs };
    const spec = { method: 'REGISTER' as const, account, ruri: `sip:${account.domain}`, to: `sip:${account.user}@${account.domain}`, expires, scheduledAt: base.now(), measure: false };
    return new Promise((resolve) => new ClientRequest(ctx, this.host.bound, spec, resolve).start());
  }
}

/** Waits for `work`, or until `giveUp()` says there is no point (transactions still out are abandoned). */
async function until(work: Promise<unknown>, giveUp: () => boolean): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const poll = new Promise<void>((resolve) => {
    const check = (): void => {
      if (giveUp()) resolve();
      else timer = setTimeout(check, 20);
    };
    check();
  });
  try {
    await Promise.race([work, poll]);
  } finally {
    clearTimeout(timer);
  }
}
