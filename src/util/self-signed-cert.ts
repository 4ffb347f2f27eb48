import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SelfSignedCertificate {
  /** PEM certificate for CN=lab.test, valid for 127.0.0.1, ::1, lab.test and localhost. */
  cert: string;
  /** PEM private key (unencrypted). */
  key: string;
}

let cached: Promise<SelfSignedCertificate> | undefined;

/**
 * A throw-away self-signed certificate made with the openssl CLI, once per test process.
 * Self-signed on purpose: tests check that verification fails without `ca` and passes with it.
 */
export async function makeSelfSignedCertificate(): Promise<SelfSignedCertificate> {
  cached ??= generate();
  return cached;
}

async function generate(): Promise<SelfSignedCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'sipbots-cert-'));
  try {
    await run('openssl', ['version']).catch((error: unknown) => {
      throw new Error('TLS and WSS need the openssl command to make a certificate (apt-get install openssl)', { cause: error });
    });
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-subj', '/CN=lab.test',
      '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:lab.test,DNS:localhost',
      '-keyout', keyPath, '-out', certPath,
    ]);
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return { cert, key };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
