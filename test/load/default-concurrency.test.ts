import { describe, expect, it } from 'vitest';
import { defaultConcurrency } from '../../src/load/plan/load-plan.js';

describe('the default concurrency cap (like SIPp -l)', () => {
  it('is the peak rate times hold plus 8 s for calls', () => {
    expect(defaultConcurrency('call', 300, undefined, 1)).toBe(2700);
    expect(defaultConcurrency('call', 4000, undefined, 0)).toBe(32_000);
    expect(defaultConcurrency('call', 0, [{ rate: 100, durationMs: 30_000 }, { rate: 500, durationMs: 60_000 }], 2)).toBe(5000);
    expect(defaultConcurrency('call', 0.1, undefined, 0)).toBe(1);
  });

  it('is the peak rate times 3 s for REGISTER and OPTIONS, which have no hold (SIPp: 3 x rate x at least 1 s)', () => {
    expect(defaultConcurrency('register', 4000, undefined, 1)).toBe(12_000);
    expect(defaultConcurrency('options', 300, undefined, 10)).toBe(900);
    expect(defaultConcurrency('register', 0, [{ rate: 100, durationMs: 30_000 }, { rate: 500, durationMs: 60_000 }], 1)).toBe(1500);
  });
});
