import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';
import type { SipbotsEvent } from '../../src/events/types.js';
import { freeLoopbackPort, waitForUdpBound } from './support/ports.js';
import { captureRetries } from './support/retry-after-wire.js';
import { sippScenario, startSipp, type SippProcess } from './support/sipp.js';

/**
 * SIPp as an overloaded registrar (RFC 3261 §21.5.4): it answers a bot's first REGISTER and its
 * first refresh with 503 Service Unavailable and Retry-After: 2, and the REGISTER after each with
 * 200. There is no other server target, so the bot must come back to the same one, 2 s later
 * and not sooner (its own retry interval would be 1 s), and say that the server asked for it.
 * The times are SIPp's: its clock when each REGISTER arrived.
 */
const RETRY_AFTER_MS = 2000;

let sipp: SippProcess | undefined;
let bot: Bot | undefined;
let workDir: string | undefined;
afterEach(async () => {
  await bot?.stop();
  await sipp?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** The `REGISTER <which> at <ms> ms` lines of the scenario's log: which REGISTERs SIPp received, in order. */
function registersReceived(logs: string): string[] {
  return [...logs.matchAll(/^REGISTER (\S+) at \d+ ms$/gm)].map((m) => m[1]!);
}

describe('a bot registering at SIPp answering 503 with Retry-After: 2', () => {
  it('the initial REGISTER and the refresh are each sent again to the same registrar 2 s later, not sooner, with a finding each', async () => {
    workDir = await mkdtemp(join(tmpdir(), 'sipbots-retry-after-'));
    const port = await freeLoopbackPort();
    sipp = await startSipp(['-sf', sippScenario('registrar-retry-after'), '-i', '127.0.0.1', '-p', String(port), '-m', '1', '-trace_logs'], { timeoutMs: 30_000, workDir });
    await waitForUdpBound(port);
    const wire = await captureRetries(port, workDir);

    const config = await loadBotsFile('bots/lab.yaml', {});
    const events = new EventStream();
    const notes: string[] = [];
    events.subscribe((e: SipbotsEvent) => e.type === 'note' && notes.push(e.message));
    // Expires 4: sip.js refreshes at 3.6 s, and the keeper would retry a lost binding every 1 s.
    bot = new Bot({ account: { ...config.bots.get('alice')!, expires: 4 }, server: { address: '127.0.0.1', port }, events });
    await bot.start();
    await bot.register();
    // The refresh (at 3.6 s), its 503, and the REGISTER 2 s after it answered 200.
    await new Promise((resolve) => setTimeout(resolve, 3600 + RETRY_AFTER_MS + 1000));
    await bot.stop();
    bot = undefined;
    const result = await Promise.race([sipp.done, new Promise<undefined>((resolve) => setTimeout(resolve, 3000, undefined))]);
    const sippResult = result ?? (await sipp.stop());
    sipp = undefined;
    const retries = await wire.stop();

    expect(registersReceived(sippResult.logs), sippResult.errors).toEqual(['initial', 'initial-again', 'refresh', 'refresh-again', 'unregister']);
    expect(sippResult.exitCode, sippResult.errors).toBe(0);
    // On the wire: two 503s with Retry-After: 2 (the initial REGISTER's, the refresh's), one Call-ID.
    expect(retries.map((r) => [r.status, r.retryAfter])).toEqual([[503, '2'], [503, '2']]);
    expect(new Set(retries.map((r) => r.callId)).size).toBe(1);
    const [initialGap, refreshGap] = retries.map((r) => r.gapMs) as [number, number];
    expect(initialGap).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
    expect(refreshGap).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
    // Not at the next refresh or later either: the wait was the server's, give or take a busy machine.
    expect(initialGap).toBeLessThan(RETRY_AFTER_MS + 1500);
    expect(refreshGap).toBeLessThan(RETRY_AFTER_MS + 1500);
    expect(notes).toEqual([
      expect.stringMatching(/^REGISTER: 503 Service Unavailable via .*, no other server target; registering there again after waiting 2 s as the server asked \(Retry-After: 2, RFC 3261 §20\.33\)$/),
      expect.stringMatching(/^REGISTER refresh: 503 Service Unavailable via .*; registering there again after waiting 2 s as the server asked \(Retry-After: 2, RFC 3261 §20\.33\)$/),
    ]);
    console.info(`[retry-after] on the wire, the REGISTER followed the initial 503 by ${initialGap.toFixed(1)} ms, the refresh's by ${refreshGap.toFixed(1)} ms`);
  }, 30_000);
});
