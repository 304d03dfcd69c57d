import { Logger } from '@aws-lambda-powertools/logger';
import {
  createPlanHandler,
  InvalidCurationInputError,
  MAX_PARTITIONS,
  planPartitions,
} from '../src/plan';

const SETTINGS = { siteIds: ['zwickau', 'mlada-boleslav'], lookbackDays: 2 };
/** The scheduled run of 2 December 2026, 02:30 UTC. */
const STARTED = new Date('2026-12-02T02:30:00.000Z');

/** The partitions of a plan as `site/dt`. */
function planned(input: unknown, startedAt = STARTED, settings = SETTINGS): string[] {
  return planPartitions(input, startedAt, settings).partitions.map((p) => `${p.site}/${p.dt}`);
}

/** The problems an input is refused with. */
function problemsOf(input: unknown, startedAt = STARTED): readonly string[] {
  try {
    planPartitions(input, startedAt, SETTINGS);
  } catch (error) {
    if (error instanceof InvalidCurationInputError) return error.problems;
    throw error;
  }
  throw new Error('the input was accepted');
}

describe('plan: which partitions an execution curates', () => {
  it('curates every site for the complete UTC days before the execution’s day by default', () => {
    expect(planned({})).toEqual([
      'zwickau/2026-11-30',
      'zwickau/2026-12-01',
      'mlada-boleslav/2026-11-30',
      'mlada-boleslav/2026-12-01',
    ]);
  });

  it('takes "today" from the UTC start time, not from a local clock', () => {
    // 23:30 UTC on 1 December is already 2 December in Berlin; the day is still 1 December.
    expect(planned({ sites: ['zwickau'] }, new Date('2026-12-01T23:30:00.000Z'))).toEqual([
      'zwickau/2026-11-29',
      'zwickau/2026-11-30',
    ]);
  });

  it('looks back as many days as configured, across a month and a year boundary', () => {
    const settings = { ...SETTINGS, lookbackDays: 3 };
    expect(planned({ sites: ['zwickau'] }, new Date('2027-01-02T02:30:00Z'), settings)).toEqual([
      'zwickau/2026-12-30',
      'zwickau/2026-12-31',
      'zwickau/2027-01-01',
    ]);
  });

  it('treats a missing or null input as the defaults', () => {
    expect(planned(undefined)).toEqual(planned({}));
    expect(planned(null)).toEqual(planned({}));
  });

  it('curates the given days and sites, oldest day first, each once', () => {
    expect(
      planned({
        sites: ['mlada-boleslav', 'mlada-boleslav'],
        days: ['2026-12-01', '2026-06-30', '2026-12-01'],
      }),
    ).toEqual(['mlada-boleslav/2026-06-30', 'mlada-boleslav/2026-12-01']);
  });

  it('accepts the execution’s own day, which the next run rewrites once it is complete', () => {
    expect(planned({ sites: ['zwickau'], days: ['2026-12-02'] })).toEqual(['zwickau/2026-12-02']);
  });

  it('passes site and day as SQL string literals, in the order of the query’s parameters', () => {
    const [partition] = planPartitions(
      { sites: ['zwickau'], days: ['2026-12-01'] },
      STARTED,
      SETTINGS,
    ).partitions;
    expect(partition).toEqual({
      site: 'zwickau',
      dt: '2026-12-01',
      parameters: ["'zwickau'", "'2026-12-01'"],
    });
  });

  it('names every problem of an input at once', () => {
    expect(
      problemsOf({
        sites: ['zwickau', 'ingolstadt'],
        days: ['2026-12-1', '2026-02-30', '2026-12-03'],
        day: [],
      }),
    ).toEqual([
      'unknown key "day" (use "sites" and "days")',
      'sites: "ingolstadt" is not a site of this Lakehouse (zwickau, mlada-boleslav)',
      'days: "2026-12-1" is not a day written yyyy-MM-dd',
      'days: "2026-02-30" is not a day written yyyy-MM-dd',
      "days: 2026-12-03 is after the execution's day (2026-12-02), so it has no data yet",
    ]);
  });

  it('refuses empty lists, lists of other things and inputs that are no object', () => {
    expect(problemsOf({ sites: [], days: '2026-12-01' })).toEqual([
      'sites must not be empty (leave it out for the default)',
      'days must be a list of strings, not "2026-12-01"',
    ]);
    expect(problemsOf(['2026-12-01'])).toEqual([
      'the input must be an object like {"sites": [...], "days": [...]}, not ["2026-12-01"]',
    ]);
  });

  it('refuses more partitions than one execution can hold, and says how to split them', () => {
    const days = Array.from({ length: 251 }, (_, index) =>
      new Date(Date.UTC(2026, 0, 1 + index)).toISOString().slice(0, 10),
    );
    expect(problemsOf({ days })).toEqual([
      `502 partitions (2 sites x 251 days) exceed ${MAX_PARTITIONS} per execution: split the days over several executions`,
    ]);
    expect(planned({ days: days.slice(0, 250) })).toHaveLength(MAX_PARTITIONS);
  });
});

describe('the plan handler', () => {
  const handler = createPlanHandler({
    settings: SETTINGS,
    logger: new Logger({ serviceName: 'lakehouse-curation-test', logLevel: 'SILENT' }),
  });

  it('plans from the execution input and its start time', async () => {
    const plan = await handler({ input: { sites: ['zwickau'] }, startedAt: STARTED.toISOString() });
    expect(plan.partitions.map((p) => p.dt)).toEqual(['2026-11-30', '2026-12-01']);
  });

  it('fails with the InvalidCurationInput error type, which the state machine does not retry', async () => {
    await expect(
      handler({ input: { sites: ['ingolstadt'] }, startedAt: STARTED.toISOString() }),
    ).rejects.toMatchObject({ name: 'InvalidCurationInput' });
  });

  it('refuses a start time that is not ISO 8601', async () => {
    await expect(handler({ input: {}, startedAt: 'yesterday' })).rejects.toThrow(
      'plan: startedAt "yesterday" is not an ISO 8601 time',
    );
  });
});
