import { timing } from './rounds';

/** Requests as [sent, answered] pairs. */
const of = (pairs: [number, number][]) => timing(pairs.map(([start, end]) => ({ start, end })));

describe('sequential rounds and waves of a set of requests', () => {
  it('requests sent together are one round and one wave', () => {
    expect(
      of([
        [0, 40],
        [1, 41],
        [2, 45],
      ]),
    ).toEqual({ requests: 3, rounds: 1, waves: 1 });
  });

  it('requests each sent after the one before was answered are one round each, and one wave each', () => {
    expect(
      of([
        [0, 40],
        [40, 80],
        [85, 125],
      ]),
    ).toEqual({ requests: 3, rounds: 3, waves: 3 });
  });

  it('a pool of 2 working through 6 writes takes 3 rounds in one wave', () => {
    const pool: [number, number][] = [
      [0, 40],
      [1, 41],
      [40, 80],
      [41, 81],
      [80, 120],
      [81, 121],
    ];
    expect(of(pool)).toEqual({ requests: 6, rounds: 3, waves: 1 });
  });

  it('a long request overlapping a chain of short ones does not lengthen it', () => {
    expect(
      of([
        [0, 200],
        [0, 40],
        [40, 80],
        [80, 120],
      ]),
    ).toEqual({ requests: 4, rounds: 3, waves: 1 });
  });

  it('no requests: no rounds', () => {
    expect(of([])).toEqual({ requests: 0, rounds: 0, waves: 0 });
  });
});
