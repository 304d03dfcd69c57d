import { ValidVerdictTally } from '../../src/service/valid-verdict-tally';
import type { Verdict } from '../../src/verdict';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 6, 8, 0, 0);

function sharedVerdict(topic: string): Verdict {
  return Object.freeze({ topic, valid: true, channel: 'telemetry', errors: [] });
}

/** A tally over one-minute buckets, and what it folded so far: `[topic, count, bucket offset]`. */
function tallied() {
  const folded: [string, number, number][] = [];
  const tally = new ValidVerdictTally(MINUTE, (verdict, count, bucketStart) => {
    folded.push([verdict.topic, count, bucketStart - T0]);
  });
  return { tally, folded };
}

describe('ValidVerdictTally', () => {
  it('counts messages per shared verdict and hands the counts over when folded', () => {
    const { tally, folded } = tallied();
    const welder1 = sharedVerdict('acme/zwickau/welder-1');
    const welder2 = sharedVerdict('acme/zwickau/welder-2');
    tally.add(welder1, T0 + 1);
    tally.add(welder2, T0 + 2);
    tally.add(welder1, T0 + 3);
    expect(folded).toEqual([]);

    tally.foldAll();
    expect(folded).toEqual([
      ['acme/zwickau/welder-1', 2, 0],
      ['acme/zwickau/welder-2', 1, 0],
    ]);
  });

  it('starts from zero after a fold: nothing is handed over twice', () => {
    const { tally, folded } = tallied();
    const welder = sharedVerdict('acme/zwickau/welder-1');
    tally.add(welder, T0);
    tally.foldAll();
    tally.foldAll();
    tally.add(welder, T0 + 5);
    tally.foldAll();

    expect(folded).toEqual([
      ['acme/zwickau/welder-1', 1, 0],
      ['acme/zwickau/welder-1', 1, 0],
    ]);
  });

  it('folds by itself when a message falls in another bucket, so counts keep their bucket', () => {
    const { tally, folded } = tallied();
    const welder = sharedVerdict('acme/zwickau/welder-1');
    tally.add(welder, T0 + MINUTE - 1);
    tally.add(welder, T0 + MINUTE - 1);
    tally.add(welder, T0 + MINUTE);
    expect(folded).toEqual([['acme/zwickau/welder-1', 2, 0]]);

    // The wall clock stepped back (NTP): the earlier bucket again.
    tally.add(welder, T0 + 10);
    tally.foldAll();
    expect(folded).toEqual([
      ['acme/zwickau/welder-1', 2, 0],
      ['acme/zwickau/welder-1', 1, MINUTE],
      ['acme/zwickau/welder-1', 1, 0],
    ]);
  });

  it('forgets a verdict no message was judged by over a whole fold (replaced contracts)', () => {
    const { tally, folded } = tallied();
    const replaced = sharedVerdict('acme/zwickau/welder-1');
    tally.add(replaced, T0);
    tally.foldAll();
    tally.foldAll();
    const entries = (tally as unknown as { counts: Map<Verdict, unknown> }).counts;
    expect(entries.has(replaced)).toBe(false);
    expect(folded).toEqual([['acme/zwickau/welder-1', 1, 0]]);
  });
});
