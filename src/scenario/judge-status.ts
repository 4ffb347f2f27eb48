import type { ResponseLine } from '../sip/ua/response-line.js';

/** Fails `what` unless the final status is one of `expected` (any 2xx when absent), naming both. */
export function judgeStatus(what: string, expected: readonly number[] | undefined, response: ResponseLine): void {
  const ok = expected === undefined ? response.status >= 200 && response.status < 300 : expected.includes(response.status);
  if (!ok) throw new Error(`${what}: expected ${expected?.join(' or ') ?? 'a 2xx'}, got ${response.status} ${response.reason}`);
}
