import { stat } from 'node:fs/promises';
import { readInputText } from '../../util/input-file.js';

/** One SIP account of the load pool: it calls, and (registered on our callee socket) answers. */
export interface LoadAccount {
  user: string;
  domain: string;
  password: string;
}

export class AccountsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountsError';
  }
}

const RANGE = /\{(\d+)\.\.(\d+)\}/;

/**
 * Expands `u{0001..0200}@lab.test` (one numeric range, zero padding kept from the first bound)
 * into accounts sharing one password. Without a range, the pattern is a single account.
 */
export function expandAccountPattern(pattern: string, password: string, defaultDomain?: string): LoadAccount[] {
  const match = RANGE.exec(pattern);
  const names: string[] = [];
  if (!match) names.push(pattern);
  else {
    const [whole, fromText, toText] = match as unknown as [string, string, string];
    const from = Number(fromText);
    const to = Number(toText);
    if (to < from) throw new AccountsError(`account range ${whole} runs backwards: write {${toText}..${fromText}}`);
    if (to - from >= 1_000_000) throw new AccountsError(`account range ${whole} has more than a million accounts`);
    const width = fromText.length;
    for (let n = from; n <= to; n++) names.push(pattern.replace(whole, String(n).padStart(width, '0')));
  }
  return names.map((name) => toAccount(name, password, defaultDomain, pattern));
}

/**
 * SIPp-style CSV (`-inf`): an optional `SEQUENTIAL`/`RANDOM` first line, `#` comments, then
 * `user;password[;domain]` rows (commas accepted too). A `user@domain` user carries its domain.
 */
export function parseAccountsCsv(text: string, defaultPassword?: string, defaultDomain?: string): LoadAccount[] {
  const accounts: LoadAccount[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || /^(SEQUENTIAL|RANDOM|USER)$/i.test(line)) return;
    const fields = line.split(/[;,]/).map((f) => f.trim());
    const password = fields[1] || defaultPassword;
    if (!password) throw new AccountsError(`accounts CSV line ${index + 1}: no password (add a second field or pass --password)`);
    accounts.push(toAccount(fields[2] ? `${fields[0]}@${fields[2]}` : fields[0]!, password, defaultDomain, `line ${index + 1}`));
  });
  return accounts;
}

/** An existing path (whatever its name) or a name ending .csv/.txt is a CSV file; anything else a pattern. */
export async function loadAccounts(spec: string, password: string | undefined, defaultDomain?: string): Promise<LoadAccount[]> {
  const exists = await stat(spec).then(
    () => true,
    () => false,
  );
  if (exists || /\.(csv|txt)$/i.test(spec)) return parseAccountsCsv(await readInputText(spec, 'accounts'), password, defaultDomain);
  if (password === undefined) throw new AccountsError(`--accounts ${spec} needs --password (or use a CSV file with user;password rows)`);
  return expandAccountPattern(spec, password, defaultDomain);
}

function toAccount(name: string, password: string, defaultDomain: string | undefined, where: string): LoadAccount {
  const at = name.indexOf('@');
  const user = at < 0 ? name : name.slice(0, at);
  const domain = at < 0 ? defaultDomain : name.slice(at + 1);
  if (!user || !domain) throw new AccountsError(`account "${name}" (${where}) needs user@domain, or pass --domain`);
  return { user, domain, password };
}
