import type { Bot } from '../bot/bot.js';
import type { Call } from '../bot/call.js';
import type { CalleeBehaviour } from '../config/behaviour.js';
import type { CallerPattern, ExpectedCall, Roles } from '../config/scenario-types.js';

/** An expected call and what arrived for it. */
export interface ClaimedCall {
  expected: ExpectedCall;
  bot: Bot;
  /** The incoming call that matched, once one did. */
  call?: Call;
  /** Milliseconds after the case started. */
  arrivedAfterMs?: number;
}

/**
 * The calls a case expects its roles to receive (`expect.calls`). While the case runs, each
 * receiving bot offers every incoming call here; the first expected call of that role whose
 * `from` matches and that has no call yet claims it, and its behaviour applies to that call.
 */
export class ExpectedCalls {
  readonly claims: ClaimedCall[];
  private readonly arrivals: Array<() => void> = [];

  constructor(
    expected: readonly ExpectedCall[],
    private readonly roles: Roles,
    private readonly botOf: (role: string) => Bot,
    private readonly startedAt: number,
    private readonly now: () => number,
  ) {
    this.claims = expected.map((e) => ({ expected: e, bot: botOf(e.role) }));
  }

  /** Starts listening on every receiving bot; returns the function that stops it. */
  listen(): () => void {
    const bots = new Set(this.claims.map((c) => c.bot));
    for (const bot of bots) bot.onIncomingCall = (call) => this.claim(bot, call);
    return () => {
      for (const bot of bots) bot.onIncomingCall = undefined;
    };
  }

  byName(name: string): ClaimedCall | undefined {
    return this.claims.find((c) => c.expected.name === name);
  }

  /** Resolves once the named call has arrived, or after `ms` (the caller then checks `call`). */
  arrival(claim: ClaimedCall, ms: number, setTimer: (fn: () => void, ms: number) => () => void): Promise<void> {
    if (claim.call) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = setTimer(() => done(), ms);
      const done = () => {
        cancel();
        this.arrivals.splice(this.arrivals.indexOf(done), 1);
        resolve();
      };
      this.arrivals.push(() => claim.call && done());
    });
  }

  private claim(bot: Bot, call: Call): Partial<CalleeBehaviour> | undefined {
    const claim = this.claims.find((c) => c.bot === bot && !c.call && this.matches(c.expected.from, call.remoteUri ?? ''));
    if (!claim) return undefined;
    claim.call = call;
    claim.arrivedAfterMs = Math.round(this.now() - this.startedAt);
    for (const notify of [...this.arrivals]) notify();
    return claim.expected.behaviour;
  }

  private matches(pattern: CallerPattern, fromUri: string): boolean {
    if (pattern.kind === 'any') return true;
    const uri = fromUri.replace(/;.*$/, '');
    if (pattern.kind === 'uri') return glob(pattern.text).test(uri);
    const user = /^sips?:([^@]*)@/.exec(uri)?.[1] ?? '';
    const roleBot = this.roles[pattern.text];
    if (roleBot !== undefined) return user === this.botOf(pattern.text).account.user;
    return glob(pattern.text).test(user);
  }
}

/** `*` matches any run of characters; everything else literally. */
function glob(text: string): RegExp {
  return new RegExp(`^${text.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
