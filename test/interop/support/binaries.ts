import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PeerNotInstalledError } from './peer-errors.js';

/** Absolute path of `name` on PATH, or undefined. */
export function findBinary(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this PATH entry: try the next one.
    }
  }
  return undefined;
}

/** Absolute path of `name`; throws PeerNotInstalledError naming scripts/peers/install.sh. */
export function requireBinary(name: string): string {
  const found = findBinary(name);
  if (!found) throw new PeerNotInstalledError(name);
  return found;
}
