import { parseCSeq, topVia, type CSeq } from './headers.js';
import { parseSipMessage } from './parse-message.js';
import type { SipMessage } from './sip-message.js';

/**
 * Readers for layers that pass on what they cannot read instead of judging it (the UDP
 * reliability layer, the late-answer catch under sip.js): undefined where the strict readers
 * throw. The transaction user above answers 400 or drops the message itself.
 */
export function tryParseSipMessage(raw: string): SipMessage | undefined {
  try {
    return parseSipMessage(raw);
  } catch {
    // Unparsable bytes: not this layer's to judge.
    return undefined;
  }
}

/** The top Via's branch; undefined without a usable Via (RFC 2543-style or broken): no transaction matches it. */
export function tryBranchOf(message: SipMessage): string | undefined {
  try {
    return topVia(message).branch;
  } catch {
    // No usable Via: nothing can be matched by branch.
    return undefined;
  }
}

/** The CSeq; undefined without a usable one (such a message matches no transaction). */
export function tryCSeqOf(message: SipMessage): CSeq | undefined {
  try {
    return parseCSeq(message);
  } catch {
    // No usable CSeq: nothing can be matched by it.
    return undefined;
  }
}
