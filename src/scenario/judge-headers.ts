import type { HeaderExpectation, Roles } from '../config/scenario-types.js';
import type { SipMessageEvent } from '../events/types.js';
import { getHeader } from '../sip/message/headers.js';
import { parseSipMessage } from '../sip/message/parse-message.js';

/**
 * `expect.headers`: each check on the first message of its kind the role's bot received in the
 * case (retransmissions aside). Returns one difference per failed check, saying what came.
 */
export function judgeHeaders(expectations: readonly HeaderExpectation[], roles: Roles, messages: readonly SipMessageEvent[]): string[] {
  const differences: string[] = [];
  for (const expectation of expectations) {
    const bot = roles[expectation.role];
    const where = `expect.headers: ${expectation.role} (${bot}) ${expectation.message} ${expectation.header}`;
    const received = messages.find((e) => e.party === bot && e.direction === 'in' && !e.retransmission && isKind(e, expectation));
    if (!received) {
      differences.push(`${where}: ${bot} received no ${expectation.message} in this case`);
      continue;
    }
    const value = getHeader(parseSipMessage(received.raw), expectation.header)?.trim();
    const problem = checkValue(expectation, value);
    if (problem) differences.push(`${where}: ${problem}`);
  }
  return differences;
}

function isKind(event: SipMessageEvent, expectation: HeaderExpectation): boolean {
  if (expectation.status === undefined) return event.method === expectation.method && event.status === undefined;
  if (event.status !== expectation.status) return false;
  return expectation.method === undefined || event.cseq?.split(/\s+/)[1] === expectation.method;
}

function checkValue({ check }: HeaderExpectation, value: string | undefined): string | undefined {
  const seen = value === undefined ? 'it is absent' : `it is ${JSON.stringify(value)}`;
  switch (check.kind) {
    case 'present':
      return value === undefined ? 'expected present, it is absent' : undefined;
    case 'absent':
      return value === undefined ? undefined : `expected absent, ${seen}`;
    case 'equals':
      return value === check.text ? undefined : `expected ${JSON.stringify(check.text)}, ${seen}`;
    case 'matches':
      return value !== undefined && new RegExp(check.pattern).test(value) ? undefined : `expected to match /${check.pattern}/, ${seen}`;
  }
}
