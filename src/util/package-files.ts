import { fileURLToPath } from 'node:url';

/**
 * The absolute path of a file shipped in the sipbots package (`bots/lab.yaml`, `scenarios/lab`),
 * wherever the package is installed: the defaults of the CLI come from here, while paths a user
 * gives are taken relative to the working directory. Works from src/ (tests) and dist/ alike.
 */
export function packageFile(relativePath: string): string {
  return fileURLToPath(new URL(`../../${relativePath}`, import.meta.url));
}
