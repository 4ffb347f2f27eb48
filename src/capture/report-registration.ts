import type { SipbotsEvent, SipMessageEvent } from '../events/types.js';
import { parseDigestHeader, DigestParseError } from '../sip/auth/digest-header.js';
import { grantedExpires, uriOf } from '../sip/message/headers.js';
import { parseSipMessage, SipParseError } from '../sip/message/parse-message.js';
import type { Lang } from './explanations-cases.js';
import { classifyStep, explainStep, headerValues, type StepKind } from './explanations.js';
import { buildLadder, type LadderArrow } from './ladder-model.js';

/** One REGISTER or its response, with the fields a student looks for, each shown whole. */
export interface RegistrationRow {
  arrow: LadderArrow;
  kind: StepKind;
  text: string;
  facts: Array<[name: string, value: string]>;
}

/** A bot's registration story: REGISTER, 401, REGISTER with credentials, 200, refreshes, unregister. */
export interface RegistrationReport {
  party: string;
  rows: RegistrationRow[];
  /** Seconds the registrar granted the bot's own binding in its first 200 (its Contact's ;expires=, else Expires). */
  grantedS?: number;
  refreshes: number;
  summary: string;
}

const CHALLENGE_HEADERS = ['www-authenticate', 'proxy-authenticate', 'authorization', 'proxy-authorization'];
const AGENT_REFRESH_FRACTION = 0.9;
const SEED_REFRESH_S = 55;

/** Every bot that sent a REGISTER in the run, in order of its first one. */
export function buildRegistrationReports(events: readonly SipbotsEvent[], runMs: number, lang: Lang): RegistrationReport[] {
  const registers = events.filter((e): e is SipMessageEvent => e.type === 'sip' && /\bREGISTER\s*$/i.test(e.cseq ?? ''));
  const parties: string[] = [];
  for (const e of registers) if (e.party !== 'proxy' && e.method === 'REGISTER' && e.direction === 'out' && !parties.includes(e.party)) parties.push(e.party);
  return parties.map((party) => {
    const callIds = [...new Set(registers.filter((e) => e.party === party && e.callId !== undefined).map((e) => e.callId!))];
    const ladder = buildLadder(registers, { callIds, columns: [party, 'proxy'] });
    // The bot's side of each exchange only: one registrar, one row per message.
    const arrows = ladder.arrows.filter((a) => a.from === party || a.to === party);
    const rows = arrows.map((arrow, i) => {
      const kind = classifyStep(arrow, arrows.slice(0, i));
      const stale = digestFacts(arrow.raw).some(([name, value]) => name === 'stale' && value.toLowerCase() === 'true');
      const text = explainStep(kind, lang) + (stale ? ` ${STALE[lang]}` : '');
      return { arrow, kind, text, facts: factsOf(arrow) };
    });
    const granted = rows.find((r) => r.kind === 'ok-register')?.arrow;
    const grantedS = granted ? grantedToParty(granted, arrows) : undefined;
    // A 200 to an unregister lists no binding of ours (RFC 3261 §10.3 step 8 lists the current ones).
    const oks = rows.filter((r) => r.arrow.status === 200 && !r.arrow.retransmission && (grantedToParty(r.arrow, arrows) ?? 0) > 0).length;
    const refreshes = Math.max(0, oks - 1);
    return { party, rows, ...(grantedS === undefined ? {} : { grantedS }), refreshes, summary: summarize(grantedS, refreshes, rows, runMs, lang) };
  });
}

const STALE = {
  en: 'stale=true: the credentials were right but the nonce had expired, so the agent answers the new nonce without asking for the password again.',
  zh: 'stale=true：凭据正确，但 nonce 已过期，因此用户代理直接用新的 nonce 重新应答，不必再次索要密码。',
} as const;

function summarize(grantedS: number | undefined, refreshes: number, rows: readonly RegistrationRow[], runMs: number, lang: Lang): string {
  const zh = lang === 'zh';
  const parts: string[] = [];
  if (grantedS === undefined) return zh ? '注册没有成功（没有对 REGISTER 的 200）。' : 'The registration did not succeed (no 200 to a REGISTER).';
  parts.push(zh ? `注册服务器准许注册 ${grantedS} 秒。` : `The registrar granted ${grantedS} s.`);
  const refreshAt = Math.round(grantedS * AGENT_REFRESH_FRACTION);
  const runS = Math.round(runMs / 1000);
  if (refreshes > 0) {
    parts.push(zh ? `在到期之前刷新了 ${refreshes} 次（原实验大约每 ${SEED_REFRESH_S} 秒一次，通话中也会刷新）。` : `It refreshed the registration ${refreshes} time(s) before the grant ran out (the original lab saw one about every ${SEED_REFRESH_S} s, also mid-call).`);
  } else {
    parts.push(
      zh
        ? `本次运行只持续了 ${runS} 秒，而用户代理在大约 ${refreshAt} 秒时才刷新，所以这里看不到刷新；原实验大约每 ${SEED_REFRESH_S} 秒看到一次。运行超过 ${refreshAt} 秒就会出现。`
        : `This run lasted ${runS} s and the agent refreshes at about ${refreshAt} s, so no refresh shows here; the original lab saw one about every ${SEED_REFRESH_S} s. A run longer than ${refreshAt} s shows them.`,
    );
  }
  if (rows.some((r) => r.kind === 'unregister')) parts.push(zh ? '运行结束时它用 expires=0 注销。' : 'At the end it unregistered with expires=0.');
  return parts.join(zh ? '' : ' ');
}

/** Contact, Expires, CSeq and every Digest parameter, values whole. */
function factsOf(arrow: LadderArrow): Array<[string, string]> {
  const facts: Array<[string, string]> = [];
  const cseq = headerValues(arrow.raw, 'cseq')[0];
  if (arrow.kind === 'request' && cseq) facts.push(['CSeq', cseq]);
  for (const contact of headerValues(arrow.raw, 'contact', 'm')) facts.push(['Contact', contact]);
  for (const expires of headerValues(arrow.raw, 'expires')) facts.push(['Expires', expires]);
  facts.push(...digestFacts(arrow.raw));
  return facts;
}

export function digestFacts(raw: string): Array<[string, string]> {
  const facts: Array<[string, string]> = [];
  for (const header of CHALLENGE_HEADERS) {
    for (const value of headerValues(raw, header)) {
      try {
        for (const [name, param] of parseDigestHeader(value)) facts.push([name, param]);
      } catch (error) {
        if (!(error instanceof DigestParseError)) throw error;
        facts.push([header, value]);
      }
    }
  }
  return facts;
}

/**
 * Seconds a 200 grants the bot's own binding (RFC 3261 §10.2.4, `grantedExpires`): the Contact
 * of the REGISTER it answers (same Call-ID and CSeq) picked out of the bindings the registrar
 * lists, else the Expires header. A registrar lists every binding of the AOR, other devices'
 * included, so the first Contact need not be ours.
 */
function grantedToParty(ok: LadderArrow, arrows: readonly LadderArrow[]): number | undefined {
  const cseq = headerValues(ok.raw, 'cseq')[0];
  const request = arrows.slice(0, arrows.indexOf(ok)).findLast((a) => a.kind === 'request' && a.callId === ok.callId && headerValues(a.raw, 'cseq')[0] === cseq);
  const contact = request === undefined ? undefined : headerValues(request.raw, 'contact', 'm')[0];
  try {
    return grantedExpires(parseSipMessage(ok.raw), contact === undefined ? '' : uriOf(contact));
  } catch (error) {
    if (!(error instanceof SipParseError)) throw error;
    return undefined;
  }
}
