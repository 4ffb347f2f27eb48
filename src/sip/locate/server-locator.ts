import { silentLogger, type Logger } from '../../util/logger.js';
import type { Endpoint, TransportProtocol } from '../transport/types.js';
import { describeTarget, locateServer, type LocatedServer, type LocateOptions, type ServerTarget } from './locate-server.js';

/**
 * One party's view of a located server over its one transport: the target requests go to now,
 * the next one when it fails (RFC 3263 §4.3), and a fresh lookup once the records' TTL has run
 * out (the lookup runs in the background; requests keep the current target until it answers,
 * and a target still listed afterwards stays current, so a long run does not hop needlessly).
 *
 *   targets[0] ──fails──▶ targets[1] ──fails──▶ … ──fails──▶ none left: the caller gives up
 *        ▲                                                    │
 *        └────────── TTL expired: located again ◀─────────────┘ (only on use)
 */
export class ServerLocator {
  private located: LocatedServer;
  private targets: ServerTarget[];
  private index = 0;
  private refreshing: Promise<void> | undefined;
  /** How many times DNS was asked, the first lookup included. */
  lookups = 1;

  constructor(
    located: LocatedServer,
    readonly transport: TransportProtocol,
    private readonly options: LocateOptions,
    private readonly logger: Logger = silentLogger,
  ) {
    this.located = located;
    this.targets = located.targets.filter((t) => t.transport === transport);
    if (this.targets.length === 0) throw new Error(`${located.uri} has no ${transport} target`);
  }

  /** Where requests go now. Starts a fresh lookup when the TTL has run out. */
  get target(): ServerTarget {
    if (this.options.now() >= this.located.expiresAt) this.refresh();
    return this.targets[this.index]!;
  }

  get endpoint(): Endpoint {
    const { address, port } = this.target;
    return { address, port };
  }

  /** `NAPTR SIP+D2T → SRV _sip._tcp.lab.test → tcp 127.0.0.1:5070 (pbx.lab.test)`. */
  describe(): string {
    return `${this.located.route} → ${describeTarget(this.targets[this.index]!)}`;
  }

  /** The target `failover` would move to, if any. */
  peek(): Endpoint | undefined {
    const next = this.targets[this.index + 1];
    return next && { address: next.address, port: next.port };
  }

  /** RFC 3263 §4.3: the current target did not answer, refused the connection or said 503. False when none is left. */
  failover(reason: string): boolean {
    const failed = this.targets[this.index]!;
    if (this.index + 1 >= this.targets.length) return false;
    this.index += 1;
    this.logger.warn({ failed: describeTarget(failed), next: describeTarget(this.targets[this.index]!), reason }, 'server target failed; trying the next one (RFC 3263 §4.3)');
    return true;
  }

  /** Waits for a lookup under way (tests, and a caller that wants the fresh answer). */
  async settled(): Promise<void> {
    await this.refreshing;
  }

  private refresh(): void {
    if (this.refreshing) return;
    const current = this.targets[this.index]!;
    this.lookups += 1;
    this.refreshing = locateServer(this.located.uri, { ...this.options, transport: this.transport })
      .then((located) => {
        const targets = located.targets.filter((t) => t.transport === this.transport);
        if (targets.length === 0) throw new Error(`no ${this.transport} target any more`);
        this.located = located;
        this.targets = targets;
        const same = targets.findIndex((t) => t.address === current.address && t.port === current.port);
        this.index = same >= 0 ? same : 0;
        if (same < 0) this.logger.info({ from: describeTarget(current), to: describeTarget(targets[0]!) }, 'server located again after its TTL: new target');
      })
      .catch((error: unknown) => {
        // Keep what we had, and try again on the next use after a short while.
        this.located = { ...this.located, expiresAt: this.options.now() + 5000 };
        this.logger.warn({ err: error, uri: this.located.uri }, 'locating the server again failed; keeping the current target');
      })
      .finally(() => (this.refreshing = undefined));
  }
}
