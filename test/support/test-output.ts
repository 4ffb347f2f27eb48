import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `test-output/<name>/` at the repository root (git-ignored): files a person looks at after a
 * run, such as screenshots, kept where CI can upload them as artifacts.
 */
export function testOutputDir(name: string): string {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
