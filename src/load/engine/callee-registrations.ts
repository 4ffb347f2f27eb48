import type { LoadAccount } from '../plan/accounts.js';
import { bump } from '../results/load-stats.js';
import { getHeader, grantedExpires } from '../../sip/message/headers.js';
import { parseSipMessage, SipParseError } from '../../sip/message/parse-message.js';
import { retryAfterSeconds, retryAfterWait } from '../../sip/message/retry-after.js';
import type { SipMessage } from '../../sip/message/sip-message.js';
import type { TimerHandle } from '../../util/clock.js';
import { ClientRequest, type ClientRequestResult } from './client-request.js';
import type { BoundLink, EngineContext } from './load-context.js';

/** REGISTERs in flight at once around a run (not measured: the load proper is what is measured). */
const SETUP_CONCURRENCY = 100;
const UNREGISTER_TIMEOUT_MS = 3000;
/**
 * A binding is refreshed at about half the lifetime the registrar granted, spread evenly from
 * 45 % to 55 % over the accounts: N callees registered together do not refresh in one burst.
 */
const REFRESH_AT = 0.45;
const REFRESH_SPREAD = 0.1;
/**
 * A refresh that failed is tried again after half of what is left of the binding, and no sooner
 * than this; nor sooner than its Retry-After asked (RFC 3261 §20.33), up to the binding's Expires.
 */
const RETRY_MIN_MS = 1000;

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

/** One account's binding on the callee link: one Call-ID and a rising CSeq for all its REGISTERs (RFC 3261 §10.2.4). */
interface Binding {
  account: LoadAccount;
  /** Its place among the accounts, which spreads its refreshes. */
  index: number;
  callId: string;
  cseq: number;
  /** The Expires its REGISTERs ask for: --register-expires, or the registrar's Min-Expires after a 423. */
  expires: number;
  /** When the registrar's grant runs out (engine clock, ms). */
  expiresAt: number;
  timer?: TimerHandle;
  refreshing?: ClientRequest;
}

/**
 * The callee accounts' bindings around a load run (RFC 3261 §10): REGISTER every account on
 * the callee link before the arrivals, refresh each at about half the lifetime the registrar
 * granted in its 200 (the Contact's expires, else the Expires header) while the run lasts, and
 * Expires 0 for those that registered after it. Registering and unregistering go
 * SETUP_CONCURRENCY at a time; both stop early when the server is found dead, and when the run
 * is interrupted they get `graceMs` each, so that the process still exits within 5 s.
 * Refreshes run on the engine's clock (its timer wheel), each a ClientRequest like the first
 * REGISTER (digest included); a failed one is counted in `calleeRefreshFailures` and tried again.
 * A 423 Interval Too Brief is sent again once, asking for its Min-Expires (RFC 3261 §10.2.8),
 * counted in `calleeIntervalTooBrief`; the binding asks for that from then on. A refused refresh
 * whose Retry-After asks for longer than the usual retry waits that long (at most the binding's
 * Expires), counted in `calleeRetryAfter`.
 */
export class CalleeRegistrations {
  private readonly registered: Binding[] = [];
  private abortedAt: number | undefined;
  private refreshing = true;

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
    const bindings = this.accounts.map((account, index): Binding => ({ account, index, callId: ctx.ids.callId(), cseq: 1, expires: this.expires, expiresAt: 0 }));
    await this.each(bindings, 'register', undefined, failures, () => abortedAt() + graceMs);
    return failures;
  }

  /** Ends the refreshes: none is sent from now on, and one under way is abandoned. */
  stopRefreshing(): void {
    this.refreshing = false;
    for (const binding of this.registered) {
      if (binding.timer !== undefined) this.host.ctx.clock.clearTimeout(binding.timer);
      binding.timer = undefined;
      if (binding.refreshing) {
        binding.refreshing.abandon();
        this.host.ctx.clients.delete(binding.callId);
        binding.refreshing = undefined;
      }
    }
  }

  /** Expires 0 for every account that registered (§10.2.2); bounded when interrupted. */
  async unregister(): Promise<void> {
    this.stopRefreshing();
    const { ctx, signal, graceMs } = this.host;
    const interrupted = signal?.aborted === true;
    const deadline = interrupted ? ctx.now() + graceMs : Infinity;
    await this.each(this.registered.splice(0), 'unregister', interrupted ? graceMs : UNREGISTER_TIMEOUT_MS, {}, () => deadline);
  }

  private async each(queue: Binding[], action: 'register' | 'unregister', timeoutMs: number | undefined, failures: Record<string, number>, deadline: () => number): Promise<void> {
    const { ctx, signal } = this.host;
    const giveUp = (): boolean => this.host.serverStopped() || ctx.now() >= deadline();
    const over = (): boolean => giveUp() || (action === 'register' && signal?.aborted === true);
    const worker = async (): Promise<void> => {
      for (let binding = queue.shift(); binding && !over(); binding = queue.shift()) {
        const sentAt = ctx.now();
        const result = await new Promise<ClientRequestResult>((resolve) => this.send(binding, action === 'register' ? binding.expires : 0, timeoutMs, resolve));
        if (result.ok && action === 'register') {
          this.registered.push(binding);
          this.granted(binding, result, sentAt);
        }
        if (!result.ok) bump(failures, result.reason ?? 'failed');
        if (result.status === 0) this.host.onTimeout();
      }
    };
    await until(Promise.all(Array.from({ length: SETUP_CONCURRENCY }, worker)), giveUp);
  }

  /**
   * One REGISTER of `binding`, sent once more if the registrar finds its Expires too brief: RFC
   * 3261 §10.2.8, a 423 carries Min-Expires and the UA may try again asking for at least that.
   * Only for a Min-Expires above what was asked (a registrar that asks for less, or for the same
   * again, is answered by the failure). A refresh under way is the request now out.
   */
  private send(binding: Binding, expires: number, timeoutMs: number | undefined, onDone: (result: ClientRequestResult) => void): ClientRequest {
    const first = this.sendOnce(binding, expires, timeoutMs, (result) => {
      const minimum = expires > 0 ? minExpiresOf(result) : undefined;
      if (minimum === undefined || minimum <= expires) return onDone(result);
      this.host.ctx.stats.counters.calleeIntervalTooBrief++;
      binding.expires = minimum;
      const again = this.sendOnce(binding, minimum, timeoutMs, onDone);
      if (binding.refreshing === first) binding.refreshing = again;
    });
    return first;
  }

  /** One REGISTER of `binding` (digest retry included) with its Call-ID and the next two CSeqs (a challenge takes one more). */
  private sendOnce(binding: Binding, expires: number, timeoutMs: number | undefined, onDone: (result: ClientRequestResult) => void): ClientRequest {
    const base = this.host.ctx;
    const ctx = timeoutMs === undefined ? base : { ...base, timeoutMs };
    const { account, callId } = binding;
    const spec = { method: 'REGISTER' as const, account, ruri: `sip:${account.domain}`, to: `sip:${account.user}@${account.domain}`, expires, scheduledAt: base.now(), measure: false, callId, cseq: binding.cseq };
    binding.cseq += 2;
    const request = new ClientRequest(ctx, this.host.bound, spec, onDone);
    request.start();
    return request;
  }

  /** A 2xx registered `binding` (sent at `sentAt`): its refresh is due at about half the lifetime the 2xx grants. */
  private granted(binding: Binding, result: ClientRequestResult, sentAt: number): void {
    const { party } = this.host.bound;
    const contact = `sip:${binding.account.user}@${party.hostPort}${party.contactParams}`;
    const lifetimeMs = (grantedSeconds(result, contact) ?? binding.expires) * 1000;
    binding.expiresAt = sentAt + lifetimeMs;
    if (lifetimeMs <= 0) return;
    const fraction = REFRESH_AT + (REFRESH_SPREAD * binding.index) / Math.max(1, this.accounts.length);
    this.schedule(binding, sentAt + lifetimeMs * fraction - this.host.ctx.now());
  }

  private schedule(binding: Binding, delayMs: number): void {
    if (!this.refreshing) return;
    binding.timer = this.host.ctx.clock.setTimeout(() => this.refresh(binding), Math.max(0, delayMs));
  }

  private refresh(binding: Binding): void {
    binding.timer = undefined;
    const { ctx } = this.host;
    if (!this.refreshing || this.host.serverStopped()) return;
    const sentAt = ctx.now();
    binding.refreshing = this.send(binding, binding.expires, undefined, (result) => {
      binding.refreshing = undefined;
      if (result.ok) {
        ctx.stats.counters.calleeRefreshes++;
        this.granted(binding, result, sentAt);
        return;
      }
      bump(ctx.stats.counters.calleeRefreshFailures, result.reason ?? 'failed');
      if (result.status === 0) this.host.onTimeout();
      const retryMs = Math.max(RETRY_MIN_MS, (binding.expiresAt - ctx.now()) / 2);
      const asked = retryAfterOf(result);
      const waitMs = asked === undefined ? 0 : retryAfterWait(asked, binding.expires).waitMs;
      if (waitMs > retryMs) ctx.stats.counters.calleeRetryAfter++;
      this.schedule(binding, Math.max(retryMs, waitMs));
    });
  }
}

/** What the final 2xx of `result` grants `contact`, in seconds; undefined when it does not say (or cannot be read whole). */
function grantedSeconds(result: ClientRequestResult, contact: string): number | undefined {
  const final = finalMessage(result);
  return final === undefined ? undefined : grantedExpires(final, contact);
}

/** The Min-Expires of a 423 Interval Too Brief (RFC 3261 §10.2.8), in seconds; undefined for anything else. */
function minExpiresOf(result: ClientRequestResult): number | undefined {
  const final = result.status === 423 ? finalMessage(result) : undefined;
  const value = final === undefined ? undefined : getHeader(final, 'min-expires')?.trim();
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The seconds a refusal's Retry-After asks for (RFC 3261 §20.33); undefined when it asks nothing. */
function retryAfterOf(result: ClientRequestResult): number | undefined {
  const final = finalMessage(result);
  return final === undefined ? undefined : retryAfterSeconds(result.status, getHeader(final, 'retry-after'));
}

/** The final response parsed whole, or undefined: none came (Timer F), or the full parser refuses what the lean scanner took. */
function finalMessage(result: ClientRequestResult): SipMessage | undefined {
  if (result.final === undefined) return undefined;
  try {
    return parseSipMessage(result.final.raw);
  } catch (error) {
    // Unreadable as a whole: nothing to go by (no grant, no Min-Expires, no Retry-After); the response stands as it is.
    if (error instanceof SipParseError) return undefined;
    throw error;
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
