import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { FieldMeaning } from '../config/problem-text.js';

/** The part of a scenario's `proxy:` section that only the embedded proxy plays. */
export interface ProxyBehaviour {
  cancelledInviteStatus?: number;
}

/**
 * Why a scenario cannot pass against a server given with --server, or undefined when it can.
 * One rule for the lab's case list and for `run`: the embedded proxy is the only server the lab
 * configures, and only it answers a cancelled INVITE 408 (as iptel.org did) instead of relaying
 * the callee's 487 (RFC 3261 §16.7). The INVITE timer is not here: a server's own timer plays it.
 */
export function embeddedProxyOnlyReason(proxy: ProxyBehaviour | undefined): FieldMeaning | undefined {
  if (proxy?.cancelledInviteStatus === 408) {
    return {
      en: 'it sets proxy.cancelledInviteStatus: 408, and only the embedded proxy answers a cancelled INVITE 408 (as iptel.org did) instead of relaying the 487',
      zh: '它设置了 proxy.cancelledInviteStatus: 408，只有内置代理会对被取消的 INVITE 回 408（如 iptel.org），而不是转发 487',
    };
  }
  return undefined;
}

/**
 * The same rule read straight from a case file, before the session loads and validates it: the
 * lab header lists what it leaves out before anything starts. A file that does not parse is not
 * judged here; loading it later reports it properly.
 */
export function embeddedProxyOnlyReasonOfFile(file: string): FieldMeaning | undefined {
  let document: unknown;
  try {
    document = parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // the session's loader reports the file with its line and column
  }
  const proxy = (document as { proxy?: ProxyBehaviour } | null)?.proxy;
  return typeof proxy === 'object' && proxy !== null ? embeddedProxyOnlyReason(proxy) : undefined;
}
