import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from './support/binaries.js';
import { startKamailio, type KamailioPeer } from './support/kamailio.js';
import { PeerNotInstalledError } from './support/peer-errors.js';
import { cleanupRuns, fixture, runSipbots } from './support/sipbots-cli.js';

// What a user sees when the real server says no, or is not there: exit code 3 (unreachable or
// registration failed) and one line on stderr that names the account or the server.

const EXIT_UNREACHABLE = 3;

let kamailio: KamailioPeer;

beforeAll(async () => {
  kamailio = await startKamailio({ frInvTimerMs: 3_000 });
});

afterAll(async () => {
  await kamailio?.stop();
  await cleanupRuns();
});

describe('registration refused by Kamailio', () => {
  it('a wrong password: exit 3, stderr names alice and the 401', async () => {
    const run = await runSipbots(['lab', '--server', `sip:127.0.0.1:${kamailio.udpPort}`, '--only', 'reject', '--json'], {
      timeoutMs: 20_000,
      env: { ALICE_PASSWORD: 'not-alice-secret' },
    });

    expect(run.exitCode, run.stderr).toBe(EXIT_UNREACHABLE);
    expect(run.stderr).toMatch(/alice \(sip:alice@lab\.test\) could not register: 401 Unauthorized/);
    expect(run.elapsedMs).toBeLessThan(10_000);
  }, 30_000);

  it("someone else's credentials: exit 3, stderr names alice and the 403", async () => {
    const run = await runSipbots(
      ['run', fixture('only-wait.yaml'), '--bots', fixture('bots-forbidden.yaml'), '--server', `sip:127.0.0.1:${kamailio.udpPort}`, '--json'],
      { timeoutMs: 20_000 },
    );

    expect(run.exitCode, run.stderr).toBe(EXIT_UNREACHABLE);
    expect(run.stderr).toMatch(/alice \(sip:alice@lab\.test\) could not register: 403/);
  }, 30_000);
});

describe('Kamailio gone', () => {
  it('lab against the UDP port of a stopped Kamailio: exit 3, "no answer from ... after 8 s", no hang', async () => {
    const gone = await startKamailio();
    const uri = `sip:127.0.0.1:${gone.udpPort}`;
    await gone.stop();

    // Default --register-timeout (8 s): what a user who mistyped the port gets.
    const run = await runSipbots(['lab', '--server', uri, '--json'], { timeoutMs: 30_000 });

    expect(run.exitCode, run.stderr).toBe(EXIT_UNREACHABLE);
    expect(run.stderr).toContain(`no answer from ${uri}`);
    expect(run.stderr).toMatch(/over udp after 8 s/);
    // 8 s of REGISTER retransmissions plus a bounded shutdown, not Timer F's 32 s per request.
    expect(run.elapsedMs).toBeLessThan(15_000);
  }, 40_000);
});

describe('a missing peer fails the suite, it never skips', () => {
  it('requireBinary names the install script', () => {
    expect(() => requireBinary('sipbots-no-such-peer')).toThrow(PeerNotInstalledError);
    expect(() => requireBinary('sipbots-no-such-peer')).toThrow(/sudo scripts\/peers\/install\.sh/);
  });

  it('startKamailio without kamailio on PATH rejects with PeerNotInstalledError', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startKamailio()).rejects.toThrow(PeerNotInstalledError);
    } finally {
      process.env.PATH = path;
    }
  });
});
