import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LoadMetric } from '../../src/load/outputs/metric-names.js';
import { buildCli, spawnCli } from '../security/support/spawn-cli.js';

/** `sipbots load --metrics-port`: Prometheus scrapes while the load runs, values that move and add up. */
const env = { PATH: process.env.PATH, SIPBOTS_PASSWORD: 'load-secret' };
const load = ['load', '--embedded-proxy', '--accounts', 'u{0001..0020}@lab.test', '--rate', '30', '--calls', '90', '--hold', '1', '--metrics-port', '0'];

type Samples = Map<string, number>;

/** `name{a="x",b="y"} 12` lines into a map keyed by `name{a="x",b="y"}` (labels as written). */
function parseMetrics(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

const value = (s: Samples, key: string): number => s.get(key) ?? 0;

/** Scrapes `url` every 300 ms until `done` settles; returns every successful scrape. */
async function scrapeWhile(url: () => string | undefined, done: Promise<unknown>): Promise<Samples[]> {
  const scrapes: Samples[] = [];
  let over = false;
  void done.finally(() => (over = true));
  while (!over) {
    const target = url();
    if (target) {
      const response = await fetch(target).catch(() => undefined);
      if (response?.ok) {
        expect(response.headers.get('content-type')).toContain('text/plain');
        scrapes.push(parseMetrics(await response.text()));
        // Anything but GET /metrics is a 404.
        if (scrapes.length === 1) expect((await fetch(target.replace(/\/metrics$/, '/'))).status).toBe(404);
      }
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return scrapes;
}

/** What every scrape must satisfy, and what must have moved between the first and the last. */
function expectConsistent(scrapes: Samples[]): void {
  const live = scrapes.filter((s) => value(s, LoadMetric.attempted) > 0);
  expect(live.length).toBeGreaterThanOrEqual(3);
  for (const s of live) {
    // Every call started is under way, succeeded or failed: the counters agree at each scrape.
    expect(value(s, LoadMetric.attempted)).toBe(value(s, LoadMetric.succeeded) + value(s, LoadMetric.failed) + value(s, LoadMetric.active));
    // Each answered call was challenged first (digest, RFC 3261 §22.2), and timed INVITE→200 once.
    expect(value(s, `${LoadMetric.responses}{method="INVITE",status="407"}`)).toBeGreaterThanOrEqual(value(s, `${LoadMetric.responses}{method="INVITE",status="200"}`));
    expect(value(s, `${LoadMetric.setupSeconds}_count`)).toBe(value(s, `${LoadMetric.responses}{method="INVITE",status="200"}`));
    expect(value(s, `${LoadMetric.responses}{method="BYE",status="200"}`)).toBe(value(s, LoadMetric.succeeded));
  }
  const first = live[0]!;
  const last = live.at(-1)!;
  expect(value(last, LoadMetric.attempted)).toBeGreaterThan(value(first, LoadMetric.attempted));
  expect(value(last, LoadMetric.succeeded)).toBeGreaterThan(value(first, LoadMetric.succeeded));
  // Calls held for 1 s at 30/s: some scrape sees many at once.
  expect(Math.max(...live.map((s) => value(s, LoadMetric.active)))).toBeGreaterThanOrEqual(10);
  const p50 = value(last, `${LoadMetric.setupSeconds}{quantile="0.5"}`);
  // In seconds, as Prometheus wants (a setup on loopback is seconds, not thousands as milliseconds would give).
  expect(p50).toBeGreaterThan(0);
  expect(p50).toBeLessThan(8);
  expect(value(last, `${LoadMetric.setupSeconds}{quantile="0.99"}`)).toBeGreaterThanOrEqual(p50);
  expect(value(last, LoadMetric.failed)).toBe(0);
  expect(value(last, LoadMetric.timeouts)).toBe(0);
  expect(last.has(LoadMetric.retransmissions)).toBe(true);
  // A run shorter than half the callees' lifetime refreshes none.
  expect(last.has(LoadMetric.calleeRefreshes)).toBe(true);
  expect(value(last, LoadMetric.calleeRefreshes)).toBe(0);
  // The media counters are served on every load (0 without --media), so a dashboard can always plot them.
  for (const name of [LoadMetric.rtpSent, LoadMetric.rtpReceived, LoadMetric.rtpLost, LoadMetric.rtpFramesSkipped]) expect(last.has(name)).toBe(true);
  // The generator's own cost is there too (prom-client's process metrics).
  expect(value(last, 'process_cpu_seconds_total')).toBeGreaterThan(0);
}

describe('sipbots load --metrics-port', () => {
  it('in one thread: port 0 is printed on stderr, scrapes during the run move and add up, the endpoint closes with the run', async () => {
    let stderr = '';
    let stdout = '';
    const running = main(load, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env,
      signal: new AbortController().signal,
    });
    const url = (): string | undefined => /metrics: (http:\/\/127\.0\.0\.1:(\d+)\/metrics)/.exec(stderr)?.[1];
    const scrapes = await scrapeWhile(url, running);
    expect(await running).toBe(0);
    expect(Number(/127\.0\.0\.1:(\d+)/.exec(url()!)![1])).toBeGreaterThan(0);
    expectConsistent(scrapes);
    expect(stdout).toMatch(/attempted 90 {2}succeeded 90 {2}failed 0 /);
    await expect(fetch(url()!)).rejects.toThrow();
  });
});

describe('sipbots load --metrics-port --workers 2', () => {
  beforeAll(() => buildCli(), 120_000);

  it('sums the workers once a second: the same checks hold', async () => {
    const cli = spawnCli([...load, '--workers', '2'], { env });
    const url = (): string | undefined => /metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(cli.stderr())?.[1];
    const scrapes = await scrapeWhile(url, cli.exit);
    expect((await cli.exit).code).toBe(0);
    expectConsistent(scrapes);
  }, 120_000);
});
