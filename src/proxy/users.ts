import { capLines } from '../util/capped-list.js';
import { readInputText } from '../util/input-file.js';

/** A users file line that is neither blank, a comment, nor `user=password` / `user:password`. */
export class UsersFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem} (expected "user=password" or "user:password"; # starts a comment)`);
    this.name = 'UsersFileError';
  }
}

/** Collects every bad line before failing, so one run shows all of them. */
export class UsersFileErrors extends Error {
  constructor(readonly errors: UsersFileError[]) {
    super(capLines(errors.map((e) => e.message)).join('\n'));
    this.name = 'UsersFileErrors';
  }
}

/**
 * Parses the text of a `sipbots proxy --users FILE` file: one `user=password` or
 * `user:password` per line (the first `=` or `:` separates, so passwords may contain either);
 * blank lines and `#` comments are skipped. A user listed twice is an error.
 */
export function parseUsers(text: string, file = '<users>'): Map<string, string> {
  const users = new Map<string, string>();
  const errors: UsersFileError[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line.length === 0 || line.startsWith('#')) return;
    const separator = line.search(/[=:]/);
    if (separator <= 0) {
      errors.push(new UsersFileError(file, index + 1, 'no user name before "=" or ":"'));
      return;
    }
    const user = line.slice(0, separator).trim();
    const password = line.slice(separator + 1).trim();
    if (!/^[A-Za-z0-9._~!$&'()*+,;-]+$/.test(user)) errors.push(new UsersFileError(file, index + 1, `"${user}" is not a valid SIP user part`));
    else if (password.length === 0) errors.push(new UsersFileError(file, index + 1, `user ${user} has an empty password`));
    else if (users.has(user)) errors.push(new UsersFileError(file, index + 1, `user ${user} is listed twice`));
    else users.set(user, password);
  });
  if (errors.length > 0) throw new UsersFileErrors(errors);
  return users;
}

export async function loadUsersFile(path: string): Promise<Map<string, string>> {
  return parseUsers(await readInputText(path, 'accounts'), path);
}

/** From the bots file: each bot's SIP user and password (the lead passes these in). */
export function usersFromBots(bots: Iterable<{ user: string; password: string }>): Map<string, string> {
  return new Map([...bots].map((b) => [b.user, b.password]));
}
