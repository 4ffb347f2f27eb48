import { describe, expect, it } from 'vitest';
import { parseDuration, parsePercent } from '../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['1.5s', 1500],
    ['500ms', 500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['0.5s', 500],
    ['3', 3000],
    [' 2s ', 2000],
    [2, 2000],
    [0.25, 250],
    [0, 0],
  ])('%j is %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['soon', '2 sec', '-1s', '1.5.2s', '', 's', '1d'])('rejects %j', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });

  it('rejects negative and non-finite numbers', () => {
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});

describe('parsePercent', () => {
  it('turns 1% into 0.01', () => {
    expect(parsePercent('1%')).toBe(0.01);
    expect(parsePercent('0.5%')).toBe(0.005);
  });

  it('takes a plain number as a fraction', () => {
    expect(parsePercent(0.01)).toBe(0.01);
  });

  it.each(['1', '101%', 'x%', 2])('rejects %j', (input) => {
    expect(parsePercent(input)).toBeUndefined();
  });
});
