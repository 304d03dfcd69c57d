import { DAYS_PER_MONTH, HOURS_PER_MONTH, runsPerMonth } from '../../scripts/cost/schedule';

describe('runsPerMonth', () => {
  it('counts a weekly cron as the weeks of a month', () => {
    expect(runsPerMonth('cron(0 3 ? * MON *)')).toBeCloseTo(DAYS_PER_MONTH / 7);
  });

  it('counts a daily cron as the days of a month', () => {
    expect(runsPerMonth('cron(30 2 * * ? *)')).toBeCloseTo(DAYS_PER_MONTH);
  });

  it('counts the hours and weekdays a cron lists', () => {
    expect(runsPerMonth('cron(0 */6 * * ? *)')).toBeCloseTo(4 * DAYS_PER_MONTH);
    expect(runsPerMonth('cron(0 8,16 ? * MON-FRI *)')).toBeCloseTo((2 * 5 * DAYS_PER_MONTH) / 7);
  });

  it('counts a cron on days of the month', () => {
    expect(runsPerMonth('cron(0 1 1,15 * ? *)')).toBe(2);
  });

  it('counts a rate as the month divided by its period', () => {
    expect(runsPerMonth('rate(1 hour)')).toBe(HOURS_PER_MONTH);
    expect(runsPerMonth('rate(15 minutes)')).toBe(4 * HOURS_PER_MONTH);
    expect(runsPerMonth('rate(2 days)')).toBeCloseTo(DAYS_PER_MONTH / 2);
  });

  it('counts a one-time schedule once', () => {
    expect(runsPerMonth('at(2026-12-24T18:00:00)')).toBe(1);
  });

  it('refuses what is not a schedule expression', () => {
    expect(() => runsPerMonth('every monday')).toThrow('Not a schedule expression');
  });
});
