import { describe, expect, it } from 'vitest';
import { answerChallenge, formatDigestCredentials, parseDigestChallenge } from '../../src/sip/auth/digest.js';
import { DigestVerifier } from '../../src/sip/auth/digest-verifier.js';
import { FakeClock } from '../../src/util/fake-clock.js';

function setup(algorithms: ('MD5' | 'SHA-256')[] = ['MD5']) {
  const clock = new FakeClock();
  const passwords = new Map([['alice', 'secret']]);
  const verifier = new DigestVerifier({ realm: 'lab.test', algorithms, qop: ['auth'], nonceTtlMs: 30_000, clock, lookupPassword: (u) => passwords.get(u) });
  const answer = (challenge: string, password = 'secret', method = 'REGISTER') =>
    formatDigestCredentials(answerChallenge(parseDigestChallenge(challenge), { username: 'alice', password, method, uri: 'sip:lab.test', cnonce: 'cn' }));
  return { clock, verifier, answer };
}

describe('DigestVerifier', () => {
  it('asks for credentials when there are none for its realm', () => {
    const { verifier } = setup();
    expect(verifier.verify([], 'REGISTER', '')).toEqual({ kind: 'missing' });
    expect(verifier.verify(['Digest username="a", realm="other", nonce="n", uri="u", response="r"'], 'REGISTER', '')).toEqual({ kind: 'missing' });
  });

  it('accepts a correct answer to its own challenge', () => {
    const { verifier, answer } = setup();
    const [challenge] = verifier.challenges(false);
    expect(verifier.verify([answer(challenge!)], 'REGISTER', '')).toMatchObject({ kind: 'ok', username: 'alice' });
  });

  it('says wrong-response for a bad password and unknown-nonce for a forged nonce', () => {
    const { verifier, answer } = setup();
    const [challenge] = verifier.challenges(false);
    expect(verifier.verify([answer(challenge!, 'guess')], 'REGISTER', '')).toMatchObject({ kind: 'wrong-response' });
    const forged = challenge!.replace(/nonce="[^"]+"/, 'nonce="123.abc.def"');
    expect(verifier.verify([answer(forged)], 'REGISTER', '')).toMatchObject({ kind: 'unknown-nonce' });
  });

  it('calls a correct answer with an expired nonce stale', () => {
    const { clock, verifier, answer } = setup();
    const [challenge] = verifier.challenges(false);
    clock.advance(30_001);
    expect(verifier.verify([answer(challenge!)], 'REGISTER', '')).toMatchObject({ kind: 'stale' });
    expect(verifier.challenges(true)[0]).toContain('stale=true');
  });

  it('offers SHA-256 first when both algorithms are on (RFC 8760 §2.4) and accepts either', () => {
    const { verifier, answer } = setup(['SHA-256', 'MD5']);
    const [sha, md5] = verifier.challenges(false);
    expect(sha).toContain('algorithm=SHA-256');
    expect(md5).toContain('algorithm=MD5');
    expect(verifier.verify([answer(sha!)], 'REGISTER', '')).toMatchObject({ kind: 'ok' });
    expect(verifier.verify([answer(md5!)], 'REGISTER', '')).toMatchObject({ kind: 'ok' });
  });

  it('reports malformed credentials instead of throwing', () => {
    const { verifier } = setup();
    expect(verifier.verify(['Digest realm="lab.test", nonce="x'], 'REGISTER', '')).toMatchObject({ kind: 'malformed' });
  });
});
