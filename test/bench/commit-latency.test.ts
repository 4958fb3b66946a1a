// Reading the aggregate role's commit histogram from its /metrics (bench/commit-latency.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bucketsSince, commitBuckets, quantileBound, quantileText } from '../../bench/commit-latency.js';

const scrape = (counts: number[]): string =>
  [
    '# HELP meterline_aggregate_commit_seconds Aggregate transaction latency',
    ...['0.1', '0.5', '1', '+Inf'].map((le, i) => `meterline_aggregate_commit_seconds_bucket{le="${le}"} ${counts[i]}`),
    `meterline_aggregate_commit_seconds_count ${counts[3]}`,
    'meterline_sink_batch_seconds_bucket{le="0.1"} 7',
  ].join('\n');

describe('commit latency from the histogram', () => {
  it('reads the cumulative buckets, +Inf included, and nothing of other histograms', () => {
    assert.deepEqual(commitBuckets(scrape([10, 90, 100, 100])), [
      [0.1, 10],
      [0.5, 90],
      [1, 100],
      [Number.POSITIVE_INFINITY, 100],
    ]);
  });

  it('gives the bucket the quantile falls in: 99 of 100 commits are within 1 s, 90 within 0.5 s', () => {
    const b = commitBuckets(scrape([10, 90, 98, 100]));
    // 0.99 × 100 = 99 commits: the 0.1 bucket holds 10, 0.5 holds 90, 1 holds 98: only +Inf holds 99.
    assert.deepEqual(quantileBound(b, 0.99), { atMostS: Number.POSITIVE_INFINITY, commits: 100 });
    assert.deepEqual(quantileBound(b, 0.9), { atMostS: 0.5, commits: 100 });
    assert.equal(quantileBound(commitBuckets(scrape([0, 0, 0, 0])), 0.99), undefined);
  });

  it('the commits between two scrapes: a phase that added 20 commits, 19 of them under 0.5 s', () => {
    const since = bucketsSince(commitBuckets(scrape([10, 90, 100, 100])), commitBuckets(scrape([5, 71, 80, 80])));
    assert.deepEqual(since, [
      [0.1, 5],
      [0.5, 19],
      [1, 20],
      [Number.POSITIVE_INFINITY, 20],
    ]);
    assert.deepEqual(quantileBound(since, 0.95), { atMostS: 0.5, commits: 20 });
    assert.deepEqual(quantileBound(since, 0.99), { atMostS: 1, commits: 20 });
  });

  it('as text: the bucket bound, or past the last finite bound the scrape shows', () => {
    const b = commitBuckets(scrape([10, 90, 98, 100]));
    assert.equal(quantileText(b, 0.9), '≤ 0.5 s of 100 commits');
    // 99 commits are only within +Inf; the last finite bound of this histogram is 1 s.
    assert.equal(quantileText(b, 0.99), '> 1 s of 100 commits');
    assert.equal(quantileText([], 0.99), undefined);
  });
});
