import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'sipbots-config-'));
let count = 0;

/** Writes YAML to a fresh temporary file and returns its path, for small inline cases. */
export function writeYaml(text: string): string {
  count += 1;
  const file = join(dir, `case-${count}.yaml`);
  writeFileSync(file, text);
  return file;
}
