import { createHash } from 'node:crypto';
import { DigestParseError, formatDigestHeader, parseDigestHeader, type DigestParams } from './digest-header.js';

/**
 * HTTP Digest as SIP uses it (RFC 3261 §22.4, RFC 2617, RFC 7616, RFC 8760 for SHA-256).
 *
 *   HA1 = H(username ":" realm ":" password)            (-sess: H(HA1 ":" nonce ":" cnonce))
 *   HA2 = H(method ":" uri)                             (auth-int: H(method ":" uri ":" H(body)))
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)   with qop
 *   response = H(HA1 ":" nonce ":" HA2)                              without qop (RFC 2069)
 */
export const DIGEST_ALGORITHMS = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];
export type DigestQop = 'auth' | 'auth-int';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** Absent on the wire means MD5 (RFC 2617 §3.2.1). */
  algorithm: DigestAlgorithm;
  /** Offered qop values; empty when the challenge carries no qop (RFC 2069 style). */
  qop: DigestQop[];
  /** The previous nonce was good but too old: retry without asking for a password again. */
  stale: boolean;
}

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: DigestAlgorithm;
  opaque?: string;
  qop?: DigestQop;
  /** Nonce count, 8 hex digits, present with qop. */
  nc?: string;
  cnonce?: string;
}

export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  qop?: DigestQop;
  nc?: string;
  cnonce?: string;
  /** Message body, only for qop=auth-int. */
  body?: string;
}

/** Raised when a computation lacks what the chosen qop needs (cnonce and nc). */
export class DigestInputError extends Error {
  constructor(readonly field: 'cnonce' | 'nc') {
    super(`digest with qop needs ${field}`);
    this.name = 'DigestInputError';
  }
}

export function computeDigestResponse(input: DigestResponseInput): string {
  const hash = hasher(input.algorithm);
  let ha1 = hash(`${input.username}:${input.realm}:${input.password}`);
  if (input.algorithm.endsWith('-sess')) ha1 = hash(`${ha1}:${input.nonce}:${requireField(input, 'cnonce')}`);
  const ha2 =
    input.qop === 'auth-int'
      ? hash(`${input.method}:${input.uri}:${hash(input.body ?? '')}`)
      : hash(`${input.method}:${input.uri}`);
  if (input.qop === undefined) return hash(`${ha1}:${input.nonce}:${ha2}`);
  return hash(`${ha1}:${input.nonce}:${requireField(input, 'nc')}:${requireField(input, 'cnonce')}:${input.qop}:${ha2}`);
}

/** Client side: answers a challenge (nc and cnonce are injected so tests are byte-stable). */
export function answerChallenge(
  challenge: DigestChallenge,
  request: { username: string; password: string; method: string; uri: string; cnonce: string; nc?: number; body?: string },
): DigestCredentials {
  const qop: DigestQop | undefined = challenge.qop.includes('auth') ? 'auth' : challenge.qop[0];
  const nc = qop ? (request.nc ?? 1).toString(16).padStart(8, '0') : undefined;
  const cnonce = qop || challenge.algorithm.endsWith('-sess') ? request.cnonce : undefined;
  const response = computeDigestResponse({
    algorithm: challenge.algorithm,
    username: request.username,
    realm: challenge.realm,
    password: request.password,
    method: request.method,
    uri: request.uri,
    nonce: challenge.nonce,
    qop,
    nc,
    cnonce,
    body: request.body,
  });
  return {
    username: request.username,
    realm: challenge.realm,
    nonce: challenge.nonce,
    uri: request.uri,
    response,
    algorithm: challenge.algorithm,
    opaque: challenge.opaque,
    qop,
    nc,
    cnonce,
  };
}

export function parseDigestChallenge(value: string): DigestChallenge {
  const params = parseDigestHeader(value);
  return {
    realm: required(params, 'realm', value),
    nonce: required(params, 'nonce', value),
    opaque: params.get('opaque'),
    algorithm: parseAlgorithm(params.get('algorithm'), value),
    qop: (params.get('qop') ?? '')
      .split(',')
      .map((q) => q.trim().toLowerCase())
      .filter((q): q is DigestQop => q === 'auth' || q === 'auth-int'),
    stale: (params.get('stale') ?? '').toLowerCase() === 'true',
  };
}

export function formatDigestChallenge(challenge: DigestChallenge): string {
  const params: [string, string][] = [
    ['realm', challenge.realm],
    ['nonce', challenge.nonce],
  ];
  if (challenge.opaque !== undefined) params.push(['opaque', challenge.opaque]);
  if (challenge.stale) params.push(['stale', 'true']);
  params.push(['algorithm', challenge.algorithm]);
  if (challenge.qop.length > 0) params.push(['qop', challenge.qop.join(',')]);
  return formatDigestHeader(params, { quoteQop: true });
}

export function parseDigestCredentials(value: string): DigestCredentials {
  const params = parseDigestHeader(value);
  const qop = params.get('qop')?.toLowerCase();
  if (qop !== undefined && qop !== 'auth' && qop !== 'auth-int') throw new DigestParseError(`unknown qop ${qop}`, value);
  return {
    username: required(params, 'username', value),
    realm: required(params, 'realm', value),
    nonce: required(params, 'nonce', value),
    uri: required(params, 'uri', value),
    response: required(params, 'response', value).toLowerCase(),
    algorithm: parseAlgorithm(params.get('algorithm'), value),
    opaque: params.get('opaque'),
    qop,
    nc: params.get('nc'),
    cnonce: params.get('cnonce'),
  };
}

export function formatDigestCredentials(credentials: DigestCredentials): string {
  const params: [string, string][] = [
    ['username', credentials.username],
    ['realm', credentials.realm],
    ['nonce', credentials.nonce],
    ['uri', credentials.uri],
    ['response', credentials.response],
    ['algorithm', credentials.algorithm],
  ];
  if (credentials.opaque !== undefined) params.push(['opaque', credentials.opaque]);
  if (credentials.qop !== undefined) {
    params.push(['qop', credentials.qop], ['nc', credentials.nc ?? ''], ['cnonce', credentials.cnonce ?? '']);
  }
  return formatDigestHeader(params, { quoteQop: false });
}

function hasher(algorithm: DigestAlgorithm): (text: string) => string {
  const name = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  return (text) => createHash(name).update(text, 'utf8').digest('hex');
}

function parseAlgorithm(value: string | undefined, header: string): DigestAlgorithm {
  if (value === undefined) return 'MD5';
  const found = DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) throw new DigestParseError(`unsupported algorithm ${value}`, header);
  return found;
}

function required(params: DigestParams, name: string, header: string): string {
  const value = params.get(name);
  if (value === undefined) throw new DigestParseError(`missing ${name}`, header);
  return value;
}

function requireField(input: DigestResponseInput, field: 'cnonce' | 'nc'): string {
  const value = input[field];
  if (value === undefined) throw new DigestInputError(field);
  return value;
}
