/** Reads a component's Prometheus `/metrics` into numbers the run can add up. */

/** The samples of one scrape, by series (`name{labels}`, as written). */
export type Samples = ReadonlyMap<string, number>;

/** GETs `<base>/metrics` and parses the text exposition (comments skipped). */
export async function scrape(base: string, timeoutMs = 10_000): Promise<Samples> {
  const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${base}/metrics answered ${response.status}`);
  return parseExposition(await response.text());
}

/** Parses Prometheus text exposition: one `series value` a line. */
export function parseExposition(text: string): Samples {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (space < 0) continue;
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/**
 * The sum of every series of metric `name` (all label sets), leaving out those whose label text
 * `skip` matches; 0 when there is none.
 */
export function total(samples: Samples, name: string, skip?: (labels: string) => boolean): number {
  let sum = 0;
  for (const [series, value] of samples) {
    const brace = series.indexOf('{');
    const metric = brace < 0 ? series : series.slice(0, brace);
    if (metric !== name) continue;
    if (skip !== undefined && skip(brace < 0 ? '' : series.slice(brace))) continue;
    sum += value;
  }
  return sum;
}

/** The series of metric `name` with their values, by label text (e.g. `{reason="queue-full"}`). */
export function byLabels(samples: Samples, name: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [series, value] of samples) {
    if (series === name) result[''] = value;
    else if (series.startsWith(`${name}{`)) result[series.slice(name.length)] = value;
  }
  return result;
}
