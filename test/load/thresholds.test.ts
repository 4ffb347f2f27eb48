import { describe, expect, it } from 'vitest';
import { summarize, newHistogram } from '../../src/load/results/histograms.js';
import { evaluateThresholds, parseThreshold, parseThresholds } from '../../src/load/results/thresholds.js';

function inputs(setupMs: number[], counts: { attempted: number; failed: number }, cps: number) {
  const h = newHistogram();
  for (const ms of setupMs) h.recordValue(ms * 1000);
  const empty = summarize(newHistogram());
  return {
    latency: { setup_200: summarize(h), setup_180: empty, register: empty, bye: empty, options: empty, response: empty },
    counts: { ...counts, succeeded: counts.attempted - counts.failed, timeouts: 0, retransmissions: 0, delayed: 0, refused: 0 },
    cps,
  };
}

describe('thresholds', () => {
  it('parse units: ms, s, us for latencies; % and plain numbers for counts; cps', () => {
    expect(parseThreshold('setup_p99<200ms')).toMatchObject({ metric: 'setup_p99', comparator: '<', value: 200 });
    expect(parseThreshold('setup_p99 < 0.2s').value).toBe(200);
    expect(parseThreshold('register_p50<=500us').value).toBe(0.5);
    expect(parseThreshold('failed<0.1%')).toMatchObject({ metric: 'failed', value: 0.001, percent: true });
    expect(parseThreshold('failed==0')).toMatchObject({ value: 0, percent: false });
    expect(parseThreshold('cps>=300')).toMatchObject({ metric: 'cps', comparator: '>=', value: 300 });
  });

  it('reports every bad expression at once', () => {
    const { thresholds, problems } = parseThresholds(['setup_p99<200ms', 'latency<3', 'failed<2ms', 'cps>=10%', 'nonsense']);
    expect(thresholds).toHaveLength(1);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain('unknown metric latency');
  });

  it('pass and fail as written', () => {
    const { thresholds } = parseThresholds(['setup_p99<200ms', 'failed<0.1%', 'cps>=300', 'setup_p50<1ms', 'failed<=1', 'cps<300']);
    const verdicts = evaluateThresholds(thresholds, inputs([5, 10, 150], { attempted: 1000, failed: 1 }, 310));
    expect(verdicts.map((v) => [v.expression, v.ok])).toEqual([
      ['setup_p99<200ms', true],
      ['failed<0.1%', false], // 1 of 1,000 is exactly 0.1 %, not below it
      ['cps>=300', true],
      ['setup_p50<1ms', false],
      ['failed<=1', true],
      ['cps<300', false],
    ]);
    expect(verdicts[1]).toMatchObject({ actual: 0.1, unit: '%' });
    expect(verdicts[3]!.actual).toBeCloseTo(10, 1);
  });
});
