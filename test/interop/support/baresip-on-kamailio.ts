import { afterAll, beforeAll } from 'vitest';
import { startBaresipCallee, type BaresipCallee, type BaresipCalleeOptions } from './baresip.js';
import { startKamailio, type KamailioPeer } from './kamailio.js';
import { cleanupRuns } from './sipbots-cli.js';

/**
 * A Kamailio and a headless baresip registered on it as carol (UDP, auto-answer), started
 * before the file's tests and stopped after them (baresip first: with Kamailio gone its
 * unregister would wait ~32 s).
 */
export function baresipOnKamailio(extra: Partial<BaresipCalleeOptions> = {}): { kamailio: () => KamailioPeer; carol: () => BaresipCallee } {
  let kamailio: KamailioPeer | undefined;
  let carol: BaresipCallee | undefined;
  beforeAll(async () => {
    kamailio = await startKamailio({ frInvTimerMs: 3_000 });
    carol = await startBaresipCallee({ user: 'carol', password: 'carol-secret', proxyPort: kamailio.udpPort, ...extra });
  });
  afterAll(async () => {
    await carol?.stop();
    await kamailio?.stop();
    await cleanupRuns();
  });
  return { kamailio: () => kamailio!, carol: () => carol! };
}
