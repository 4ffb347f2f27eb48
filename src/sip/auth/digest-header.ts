/**
 * The `Digest …` value of WWW-Authenticate, Proxy-Authenticate, Authorization and
 * Proxy-Authorization (RFC 2617 §3.2, RFC 7616 §3.3–3.4, RFC 3261 §20.27/§20.44/§25.1):
 *
 *   Digest username="alice", realm="lab.test", nonce="…", uri="sip:bob@lab.test",
 *          response="…", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="…"
 *
 * Parameter names are case-insensitive; values are tokens or quoted strings, and a quoted
 * string may hold commas and `\"` escapes, so the value cannot be split on commas naively.
 */

/** Thrown for a header value that is not a Digest challenge or credentials. */
export class DigestParseError extends Error {
  constructor(
    readonly reason: string,
    readonly value: string,
  ) {
    super(`bad Digest header value (${reason}): ${JSON.stringify(value.slice(0, 120))}`);
    this.name = 'DigestParseError';
  }
}

/** Parameter name (lower-case) → unquoted value, in the order they appeared. */
export type DigestParams = Map<string, string>;

/** Parses `Digest a=b, c="d, e"`; throws DigestParseError for another scheme or bad syntax. */
export function parseDigestHeader(value: string): DigestParams {
  const text = value.trim();
  const scheme = /^Digest\s+/i.exec(text);
  if (!scheme) throw new DigestParseError('scheme is not Digest', value);
  const params: DigestParams = new Map();
  let i = scheme[0].length;
  while (i < text.length) {
    while (i < text.length && (text[i] === ',' || isSpace(text[i]!))) i++;
    if (i >= text.length) break;
    // Sticky: matches at i without slicing the rest of the value (a load answers thousands a second).
    PARAM_NAME.lastIndex = i;
    const nameMatch = PARAM_NAME.exec(text);
    if (!nameMatch) throw new DigestParseError(`unexpected ${JSON.stringify(text[i])} at ${i}`, value);
    const name = nameMatch[0].toLowerCase();
    i += nameMatch[0].length;
    while (i < text.length && isSpace(text[i]!)) i++;
    if (text[i] !== '=') throw new DigestParseError(`parameter ${name} has no value`, value);
    i++;
    while (i < text.length && isSpace(text[i]!)) i++;
    let paramValue = '';
    if (text[i] === '"') {
      i++;
      let closed = false;
      // Whole runs up to the next quote or backslash at a time, not a character at a time.
      while (i < text.length) {
        const quote = text.indexOf('"', i);
        const escape = text.indexOf('\\', i);
        if (escape >= 0 && (quote < 0 || escape < quote) && escape + 1 < text.length) {
          paramValue += text.slice(i, escape) + text[escape + 1];
          i = escape + 2;
        } else if (quote >= 0) {
          paramValue += text.slice(i, quote);
          closed = true;
          i = quote + 1;
          break;
        } else {
          // A lone backslash at the very end, or no closing quote at all.
          paramValue += text.slice(i);
          i = text.length;
        }
      }
      if (!closed) throw new DigestParseError(`unterminated quoted value of ${name}`, value);
    } else {
      const start = i;
      while (i < text.length && text[i] !== ',' && !isSpace(text[i]!)) i++;
      paramValue = text.slice(start, i);
    }
    params.set(name, paramValue);
  }
  return params;
}

const PARAM_NAME = /[A-Za-z0-9_.-]+/y;

/**
 * Writes a Digest value. RFC 7616 §3.3/§3.4 say which parameters are quoted: `algorithm`,
 * `stale`, `nc` and (in credentials) `qop` are tokens; everything else is a quoted string.
 * In a challenge `qop` is a quoted list (`qop="auth"`), so callers pass `quoteQop`.
 */
export function formatDigestHeader(params: Iterable<[string, string]>, options: { quoteQop: boolean }): string {
  const parts: string[] = [];
  for (const [name, value] of params) {
    const token = TOKEN_PARAMS.has(name) || (name === 'qop' && !options.quoteQop);
    parts.push(`${name}=${token ? value : quote(value)}`);
  }
  return `Digest ${parts.join(', ')}`;
}

const TOKEN_PARAMS = new Set(['algorithm', 'stale', 'nc']);

function quote(value: string): string {
  if (!value.includes('"') && !value.includes('\\')) return `"${value}"`;
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}
