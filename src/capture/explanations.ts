import { isLabCaseId, LAB_CASE_IDS, type LabCaseId } from '../lab/lab-cases.js';
import { CASE_EXPLANATIONS, type Lang } from './explanations-cases.js';
import { HEADER_TOPICS, type HeaderTopic } from './explanations-headers.js';
import { STEP_EXPLANATIONS, type StepKind } from './explanations-steps.js';
import type { LadderArrow } from './ladder-model.js';

export { isLabCaseId, LAB_CASE_IDS, type Lang, type LabCaseId, type StepKind };

/** The case-level explanation, or undefined for a scenario that is not one of the lab cases. */
export function explainCase(caseId: string, lang: Lang): string | undefined {
  return Object.hasOwn(CASE_EXPLANATIONS, caseId) ? CASE_EXPLANATIONS[caseId]?.[lang] : undefined;
}

/**
 * What kind of step an arrow is, using the arrows before it in the same ladder: the second
 * INVITE after a 407, an ACK that reuses its INVITE's branch (non-2xx, hop by hop) versus one
 * with a fresh branch (2xx, end to end), a REGISTER after a successful one (refresh).
 */
export function classifyStep(arrow: LadderArrow, earlier: readonly LadderArrow[]): StepKind {
  if (arrow.retransmission) return 'retransmission';
  const sameCall = earlier.filter((a) => a.callId === arrow.callId);
  if (arrow.kind === 'request') {
    switch (arrow.method) {
      case 'REGISTER':
        if (/^(Contact|m)\s*:[^\r\n]*;\s*expires=0\b/im.test(arrow.raw) || /^Expires\s*:\s*0\s*$/im.test(arrow.raw)) return 'unregister';
        if (sameCall.some((a) => a.status === 200 && a.cseqMethod === 'REGISTER')) return 'register-refresh';
        return /^Authorization\s*:/im.test(arrow.raw) ? 'register-auth' : 'register';
      case 'INVITE':
        if (viaCount(arrow.raw) > 1) return 'invite-forwarded';
        return /^(Proxy-)?Authorization\s*:/im.test(arrow.raw) ? 'invite-auth' : 'invite';
      case 'ACK':
        return sameCall.some((a) => a.method === 'INVITE' && a.branch !== undefined && a.branch === arrow.branch) ? 'ack-non2xx' : 'ack-2xx';
      case 'CANCEL':
        return 'cancel';
      case 'BYE':
        return 'bye';
      default:
        return 'request-other';
    }
  }
  switch (arrow.status) {
    case 100:
      return 'trying';
    case 180:
      return 'ringing';
    case 183:
      return 'session-progress';
    case 401:
      return 'challenge-401';
    case 407:
      return 'challenge-407';
    case 408:
      return 'timeout-408';
    case 486:
      return 'busy-486';
    case 487:
      return 'terminated-487';
    case 603:
      return 'decline-603';
    case 200:
      return ({ INVITE: 'ok-invite', CANCEL: 'ok-cancel', BYE: 'ok-bye', REGISTER: 'ok-register' } as const)[arrow.cseqMethod ?? ''] ?? 'response-other';
    default:
      return 'response-other';
  }
}

export function explainStep(kind: StepKind, lang: Lang): string {
  return STEP_EXPLANATIONS[kind][lang];
}

/** The header and SDP topics that occur in these messages, in a fixed order. */
export function headerTopicsIn(raws: readonly string[]): HeaderTopic[] {
  return HEADER_TOPICS.filter((topic) => raws.some((raw) => topic.present.test(raw)));
}

/** Via entries of a message: one per hop it passed (a proxy adds its own on top, RFC 3261 §16.6). */
export function viaCount(raw: string): number {
  return headerValues(raw, 'via', 'v').reduce((n, value) => n + value.split(',').length, 0);
}

/** Every value of a header (long or compact name), in order, from raw message text. */
export function headerValues(raw: string, name: string, compact?: string): string[] {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const names = compact ? [name, compact] : [name];
  const values: string[] = [];
  for (const line of head.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && names.includes(line.slice(0, colon).trim().toLowerCase())) values.push(line.slice(colon + 1).trim());
  }
  return values;
}
