import { hash as oneShotHash } from 'node:crypto';
import { answerChallenge, formatDigestCredentials, parseDigestChallenge, type DigestChallenge } from '../../sip/auth/digest.js';

/**
 * Answers 401/407 challenges for many accounts with one hash per answer in the common case
 * (MD5 or SHA-256, qop=auth or none): HA1 = H(user:realm:password) is cached per account and
 * realm, HA2 = H(method:uri) per method and URI (RFC 2617 §3.2.2). Other variants (-sess,
 * auth-int) go through the general `answerChallenge`.
 */
export class DigestCache {
  private readonly ha1 = new Map<string, string>();
  private readonly ha2 = new Map<string, string>();
  private cnonceCounter = 0;

  constructor(private readonly cnoncePrefix: string) {}

  /** The header value (`Digest username=…`) answering `challengeText` for one request. */
  answer(challengeText: string, request: { username: string; password: string; method: string; uri: string }): string {
    const challenge = parseDigestChallenge(challengeText);
    const cnonce = `${this.cnoncePrefix}${(this.cnonceCounter++).toString(36)}`;
    if (!fastPath(challenge)) return formatDigestCredentials(answerChallenge(challenge, { ...request, cnonce }));
    const algo = challenge.algorithm === 'MD5' ? 'md5' : 'sha256';
    const ha1Key = `${algo}\0${request.username}\0${challenge.realm}\0${request.password}`;
    let ha1 = this.ha1.get(ha1Key);
    if (ha1 === undefined) {
      ha1 = hash(algo, `${request.username}:${challenge.realm}:${request.password}`);
      this.ha1.set(ha1Key, ha1);
    }
    const ha2Key = `${algo}\0${request.method}\0${request.uri}`;
    let ha2 = this.ha2.get(ha2Key);
    if (ha2 === undefined) {
      ha2 = hash(algo, `${request.method}:${request.uri}`);
      if (this.ha2.size < 100_000) this.ha2.set(ha2Key, ha2);
    }
    const qop = challenge.qop.includes('auth') ? 'auth' : undefined;
    const response = qop ? hash(algo, `${ha1}:${challenge.nonce}:00000001:${cnonce}:auth:${ha2}`) : hash(algo, `${ha1}:${challenge.nonce}:${ha2}`);
    return formatDigestCredentials({
      username: request.username,
      realm: challenge.realm,
      nonce: challenge.nonce,
      uri: request.uri,
      response,
      algorithm: challenge.algorithm,
      opaque: challenge.opaque,
      ...(qop ? { qop, nc: '00000001', cnonce } : {}),
    });
  }
}

function fastPath(challenge: DigestChallenge): boolean {
  return (challenge.algorithm === 'MD5' || challenge.algorithm === 'SHA-256') && (challenge.qop.length === 0 || challenge.qop.includes('auth'));
}

/** One-shot (no Hash object per answer); over the text's latin1 bytes, as before. */
function hash(algorithm: 'md5' | 'sha256', text: string): string {
  return oneShotHash(algorithm, Buffer.from(text, 'latin1'), 'hex');
}
