import {
  driftQuery,
  driftQueryParameters,
  lookbackEndingAt,
  MAX_DRIFT_WINDOW_HOURS,
} from '../src/drift-query';

describe('the drift query’s text', () => {
  it('reads the given database and table, and takes every value as an execution parameter', () => {
    const sql = driftQuery('uns_mlops_raw', 'model_drift');

    expect(sql).toContain('FROM "uns_mlops_raw"."model_drift"');
    expect(sql).not.toContain('${');
    expect(sql.match(/\?/g)).toHaveLength(
      driftQueryParameters(lookbackEndingAt(new Date(), 6)).length,
    );
  });

  it('refuses names that are not plain Glue names, since they are written into the SQL', () => {
    expect(() => driftQuery('raw"; DROP TABLE x; --', 'model_drift')).toThrow(
      'drift query: database "raw\\"; DROP TABLE x; --" must be 1-255 lowercase letters, digits or underscores',
    );
    expect(() => driftQuery('uns_mlops_raw', 'Model-Drift')).toThrow('drift query: table');
  });
});

describe('the drift query’s parameters', () => {
  it('read the partitions from the day a window ending in the lookback may start, to the check’s day', () => {
    const lookback = lookbackEndingAt(new Date('2025-12-04T10:00:00.000Z'), 6);

    expect(driftQueryParameters(lookback)).toEqual([
      "'2025-12-03'",
      "'2025-12-04'",
      "'2025-12-04 04:00:00.000'",
      "'2025-12-04 10:00:00.000'",
    ]);
    expect(MAX_DRIFT_WINDOW_HOURS).toBe(24);
  });

  it('span every day of a lookback longer than a day', () => {
    const lookback = lookbackEndingAt(new Date('2025-12-04T00:15:30.250Z'), 48);

    expect(driftQueryParameters(lookback)).toEqual([
      "'2025-12-01'",
      "'2025-12-04'",
      "'2025-12-02 00:15:30.250'",
      "'2025-12-04 00:15:30.250'",
    ]);
  });
});
