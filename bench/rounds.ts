/**
 * How a set of requests adds up in time. A request is an interval from when it was sent to when its answer was
 * complete. Two numbers describe an action's requests:
 *
 * - `rounds` (sequential round trips): the longest chain of requests in which each one was sent after the one
 *   before it had been answered. Requests sent together count as one round; 150 writes through a pool of 4 count
 *   as 38, since each slot's next write waits for its previous answer. With a fixed latency L per request an
 *   action cannot take less than rounds × L, which is what the round-trip bound compares with.
 * - `waves`: how many times the number of requests in flight rose from 0 (gaps between bursts of requests).
 */

export interface Interval {
  start: number;
  end: number;
}

export interface Timing {
  requests: number;
  rounds: number;
  waves: number;
}

/** Longest chain of intervals, each starting at or after the end of the one before. */
function sequentialRounds(intervals: readonly Interval[]): number {
  const byStart = [...intervals].sort((a, b) => a.start - b.start);
  const byEnd = [...intervals].sort((a, b) => a.end - b.end);
  // depth of each interval by its position in byStart; best depth among intervals ended so far.
  const depthByInterval = new Map<Interval, number>();
  let endedBest = 0;
  let endIndex = 0;
  let longest = 0;
  for (const interval of byStart) {
    for (;;) {
      const ended = byEnd[endIndex];
      if (ended === undefined || ended.end > interval.start) break;
      endedBest = Math.max(endedBest, depthByInterval.get(ended) ?? 0);
      endIndex++;
    }
    const depth = endedBest + 1;
    depthByInterval.set(interval, depth);
    longest = Math.max(longest, depth);
  }
  return longest;
}

/** How many times the count of requests in flight rose from 0. */
function waves(intervals: readonly Interval[]): number {
  const byStart = [...intervals].sort((a, b) => a.start - b.start);
  let count = 0;
  let busyUntil = Number.NEGATIVE_INFINITY;
  for (const interval of byStart) {
    if (interval.start >= busyUntil) count++;
    busyUntil = Math.max(busyUntil, interval.end);
  }
  return count;
}

export function timing(intervals: readonly Interval[]): Timing {
  return { requests: intervals.length, rounds: sequentialRounds(intervals), waves: waves(intervals) };
}
