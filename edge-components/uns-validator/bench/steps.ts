/**
 * A load schedule: steps of `rate:seconds`, comma-separated, e.g. `2000:10,20000:10,60000:10`; the
 * rate `max` publishes flat out (as fast as the broker reads). Shared by the benchmark and its
 * publisher processes.
 */

/** One step of a load schedule. */
export interface LoadStep {
  /** Messages per second offered during the step, or `max` for as fast as the broker reads. */
  readonly rate: number | 'max';
  readonly seconds: number;
}

/**
 * Parses `rate:seconds[,rate:seconds...]`.
 *
 * @throws on a step that is not `<positive number or max>:<positive seconds>`.
 */
export function parseSteps(text: string): LoadStep[] {
  return text.split(',').map((step) => {
    const [rateText = '', secondsText = ''] = step.trim().split(':');
    const rate = rateText === 'max' ? 'max' : Number(rateText);
    const seconds = Number(secondsText);
    if ((rate !== 'max' && !(rate > 0)) || !(seconds > 0))
      throw new Error(`load step "${step}" is not <msgs/s or max>:<seconds>`);
    return { rate, seconds };
  });
}

/** The schedule as `parseSteps` reads it. */
export function formatSteps(steps: readonly LoadStep[]): string {
  return steps.map(({ rate, seconds }) => `${rate}:${seconds}`).join(',');
}

/** Each of `publishers`' share of the schedule: the same steps at 1/publishers of the rate. */
export function shareOf(steps: readonly LoadStep[], publishers: number): LoadStep[] {
  return steps.map(({ rate, seconds }) => ({
    rate: rate === 'max' ? 'max' : rate / publishers,
    seconds,
  }));
}
