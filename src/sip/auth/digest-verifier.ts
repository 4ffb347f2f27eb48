import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../util/clock.js';
import {
  computeDigestResponse,
  formatDigestChallenge,
  parseDigestCredentials,
  type DigestAlgorithm,
  type DigestCredentials,
  type DigestQop,
} from './digest.js';
import { DigestParseError } from './digest-header.js';

export interface DigestVerifierOptions {
  realm: string;
  /** Offered in this order, one challenge header each; RFC 8760 §2.4: preferred (SHA-256) first. */
  algorithms: DigestAlgorithm[];
  /** qop values offered; `[]` gives RFC 2069-style challenges. */
  qop: DigestQop[];
  nonceTtlMs: number;
  clock: Clock;
  lookupPassword: (username: string) => string | undefined;
  random?: (bytes: number) => Buffer;
}

/** What the credentials in a request amount to; the caller turns it into 401/407/403/400. */
export type DigestVerdict =
  | { kind: 'ok'; username: string; credentials: DigestCredentials }
  /** No credentials for our realm: challenge. */
  | { kind: 'missing' }
  /** Our nonce, correct response, but expired: challenge with stale=true (RFC 2617 §3.2.1). */
  | { kind: 'stale'; username: string }
  /** A nonce we never issued (or tampered with): challenge again. */
  | { kind: 'unknown-nonce'; username: string }
  | { kind: 'unknown-user'; username: string }
  | { kind: 'wrong-response'; username: string }
  | { kind: 'malformed'; reason: string };

/**
 * Server side of digest: mints nonces and checks credentials. Nonces are self-verifying, in the
 * manner of Kamailio's auth module: `<issued-at hex>.<random>.<HMAC(secret, issued-at.random)>`,
 * so no table of outstanding nonces is needed and an expired nonce is told from a forged one.
 * Nonce-count replay checking (RFC 7616 §3.3 `nc`) is not done: the lab has no attacker.
 */
export class DigestVerifier {
  private readonly secret: Buffer;
  private readonly random: (bytes: number) => Buffer;
  readonly opaque: string;

  constructor(private readonly options: DigestVerifierOptions) {
    this.random = options.random ?? randomBytes;
    this.secret = this.random(32);
    this.opaque = this.random(8).toString('hex');
  }

  /** Header values for WWW-Authenticate / Proxy-Authenticate, one per offered algorithm. */
  challenges(stale: boolean): string[] {
    const nonce = this.mintNonce();
    return this.options.algorithms.map((algorithm) =>
      formatDigestChallenge({ realm: this.options.realm, nonce, opaque: this.opaque, algorithm, qop: this.options.qop, stale }),
    );
  }

  /** `authorizations`: every Authorization (or Proxy-Authorization) value of the request. */
  verify(authorizations: string[], method: string, body: string): DigestVerdict {
    let credentials: DigestCredentials | undefined;
    for (const value of authorizations) {
      if (!/^\s*Digest\s/i.test(value)) continue;
      let parsed: DigestCredentials;
      try {
        parsed = parseDigestCredentials(value);
      } catch (error) {
        if (error instanceof DigestParseError) return { kind: 'malformed', reason: error.reason };
        throw error;
      }
      // RFC 3261 §22.3: several credentials may be present; only the one for our realm counts.
      if (parsed.realm !== this.options.realm) continue;
      if (!this.options.algorithms.includes(parsed.algorithm)) continue;
      credentials = parsed;
      break;
    }
    if (!credentials) return { kind: 'missing' };
    const { username } = credentials;
    const issuedAt = this.nonceIssuedAt(credentials.nonce);
    if (issuedAt === undefined) return { kind: 'unknown-nonce', username };
    const password = this.options.lookupPassword(username);
    if (password === undefined) return { kind: 'unknown-user', username };
    if (credentials.qop !== undefined && (credentials.nc === undefined || credentials.cnonce === undefined)) {
      return { kind: 'malformed', reason: 'qop without nc or cnonce' };
    }
    if (credentials.qop !== undefined && !this.options.qop.includes(credentials.qop)) {
      return { kind: 'malformed', reason: `qop ${credentials.qop} was not offered` };
    }
    const expected = computeDigestResponse({ ...credentials, password, method, body });
    if (!sameHex(expected, credentials.response)) return { kind: 'wrong-response', username };
    if (this.options.clock.now() - issuedAt > this.options.nonceTtlMs) return { kind: 'stale', username };
    return { kind: 'ok', username, credentials };
  }

  private mintNonce(): string {
    const issued = Math.floor(this.options.clock.now()).toString(16);
    const salt = this.random(9).toString('base64url');
    return `${issued}.${salt}.${this.sign(`${issued}.${salt}`)}`;
  }

  private nonceIssuedAt(nonce: string): number | undefined {
    const parts = nonce.split('.');
    if (parts.length !== 3 || !/^[0-9a-f]+$/.test(parts[0]!)) return undefined;
    const expected = this.sign(`${parts[0]}.${parts[1]}`);
    if (!sameHex(expected, parts[2]!)) return undefined;
    return parseInt(parts[0]!, 16);
  }

  private sign(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('hex').slice(0, 32);
  }
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase());
  const right = Buffer.from(b.toLowerCase());
  return left.length === right.length && timingSafeEqual(left, right);
}
