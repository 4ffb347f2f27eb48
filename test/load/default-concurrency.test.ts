import { describe, expect, it } from 'vitest';
import { defaultConcurrency } from '../../src/load/plan/load-plan.js';

describe('the default concurrency cap (like SIPp -l)', () => {
  it('is the peak rate times hold plus 8 s', () => {
    expect(defaultConcurrency(300, undefined, 1)).toBe(2700);
    expect(defaultConcurrency(4000, undefined, 0)).toBe(32_000);
    expect(defaultConcurrency(0, [{ rate: 100, durationMs: 30_000 }, { rate: 500, durationMs: 60_000 }], 2)).toBe(5000);
    expect(defaultConcurrency(0.1, undefined, 0)).toBe(1);
  });
});
