import { describe, expect, it } from 'vitest';
import { LOAD_RESULT_VERSION } from '../../src/load/results/load-result.js';
import { parseShardFile, SHARD_RESULT_KIND } from '../../src/load/results/shard-result.js';

/** `sipbots merge` reading a shard file: what it says about files it cannot merge. */
describe('a shard file read back', () => {
  it('a shard written in an older result format is named as such, not as a list of missing fields', () => {
    const older = JSON.stringify({ version: LOAD_RESULT_VERSION - 1, kind: SHARD_RESULT_KIND, status: 'completed', counters: {} });
    expect(parseShardFile(older)).toEqual({
      problems: [`written by another sipbots: result format ${LOAD_RESULT_VERSION - 1}, and this sipbots merges format ${LOAD_RESULT_VERSION} (run every shard and the merge with the same sipbots)`],
    });
  });

  it('a shard of this format with fields missing lists each missing field by its path', () => {
    const damaged = JSON.stringify({ version: LOAD_RESULT_VERSION, kind: SHARD_RESULT_KIND, status: 'failed' });
    const result = parseShardFile(damaged);
    expect('problems' in result && result.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^shard: /), expect.stringMatching(/^plan: /), expect.stringMatching(/^error: /)]));
  });
});
