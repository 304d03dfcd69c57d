import { useState } from 'react';
import { Line, LineChart, XAxis, YAxis } from 'recharts';
import type { FacilitiesReport, FacilityComparison } from '../api/types';
import { RangeSelect } from '../components/RangeSelect';
import { ShareBar } from '../components/ShareBar';
import { Empty, Loaded } from '../components/States';
import { formatCount, formatDuration, formatShare, formatTime, orDash } from '../format';
import { routeHref } from '../route';
import { usePolling } from '../usePolling';
import type { PageProps } from './page-props';

/** The time ranges the comparison offers, in hours. */
const RANGES = [
  { length: 24, label: 'Last 24 hours' },
  { length: 7 * 24, label: 'Last 7 days' },
  { length: 30 * 24, label: 'Last 30 days' },
];

/**
 * Every site the caller may read side by side over a time range, lowest valid share first (the
 * API's order): valid share, invalid messages in all and per error kind, the trend, and each
 * site's worst lines and channels. A site's name opens its compliance overview.
 */
export function FacilitiesPage({ client, refreshMs, site }: PageProps) {
  const [hours, setHours] = useState(24);
  const report = usePolling(
    `facilities-${String(hours)}`,
    (signal) =>
      client.facilities({ since: new Date(Date.now() - hours * 3_600_000).toISOString() }, signal),
    refreshMs,
  );
  return (
    <section aria-labelledby="facilities-title">
      <div className="page-head">
        <h1 id="facilities-title">Facilities</h1>
        <RangeSelect ranges={RANGES} value={hours} onChange={setHours} />
      </div>
      <Loaded polled={report} what="facilities comparison">
        {(data) =>
          data.sites.length === 0 ? (
            <Empty>No site judged messages in this time range.</Empty>
          ) : (
            <FacilitiesContent data={data} chosen={site} />
          )
        }
      </Loaded>
    </section>
  );
}

function FacilitiesContent({
  data,
  chosen,
}: {
  data: FacilitiesReport;
  /** The site chosen in the header, marked in the tables. */
  chosen: string | undefined;
}) {
  const kinds = errorKindsByTotal(data.sites);
  const step = formatDuration(data.range.stepSeconds);
  const offenders = data.sites.flatMap((site) => site.worstOffenders);
  const rowClass = (site: string) => (site === chosen ? 'chosen' : undefined);
  return (
    <>
      <p className="hint">
        {formatTime(data.range.since)} to {formatTime(data.range.until)} UTC, lowest valid share
        first; trend per {step}. A site&apos;s name opens its compliance overview.
      </p>
      <section className="panel" aria-labelledby="sites-title">
        <h2 id="sites-title">Sites compared</h2>
        <div className="table-scroll">
          <table data-testid="facilities">
            <thead>
              <tr>
                <th scope="col">Site</th>
                <th scope="col" className="number">
                  Valid share
                </th>
                <th scope="col" className="number">
                  Valid
                </th>
                <th scope="col" className="number">
                  Invalid
                </th>
                {kinds.map((kind) => (
                  <th key={kind} scope="col" className="number">
                    {kind}
                  </th>
                ))}
                <th scope="col">Trend of the valid share</th>
              </tr>
            </thead>
            <tbody>
              {data.sites.map((site) => (
                <tr key={site.site} className={rowClass(site.site)}>
                  <th scope="row">
                    <a href={routeHref({ page: 'overview', site: site.site })}>
                      {orDash(site.site)}
                    </a>
                  </th>
                  <td className="number">
                    <ShareBar share={site.validShare} />
                  </td>
                  <td className="number">{formatCount(site.valid)}</td>
                  <td className="number">{formatCount(site.invalid)}</td>
                  {kinds.map((kind) => (
                    <td key={kind} className="number">
                      {formatCount(
                        site.byErrorKind.find((count) => count.errorKind === kind)?.invalid ?? 0,
                      )}
                    </td>
                  ))}
                  <td>
                    <Sparkline site={site} step={step} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="panel" aria-labelledby="site-offenders-title">
        <h2 id="site-offenders-title">Worst lines and channels per site</h2>
        {offenders.length === 0 ? (
          <Empty>No line sent invalid messages in this time range.</Empty>
        ) : (
          <div className="table-scroll">
            <table data-testid="facility-offenders">
              <thead>
                <tr>
                  <th scope="col">Site</th>
                  <th scope="col">Area / line</th>
                  <th scope="col">Channel</th>
                  <th scope="col" className="number">
                    Invalid
                  </th>
                  <th scope="col" className="number">
                    Invalid share
                  </th>
                  <th scope="col">Most frequent error</th>
                </tr>
              </thead>
              <tbody>
                {offenders.map((offender) => (
                  <tr
                    key={[offender.site, offender.area, offender.line, offender.channel].join('/')}
                    className={rowClass(offender.site)}
                  >
                    <td>{orDash(offender.site)}</td>
                    <td>{[offender.area, offender.line].map(orDash).join(' / ')}</td>
                    <td>{offender.channel === '' ? 'unknown topic' : offender.channel}</td>
                    <td className="number">{formatCount(offender.invalid)}</td>
                    <td className="number">{formatShare(offender.invalidShare)}</td>
                    <td>{offender.topErrorKind}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

/** The error kinds of every site, most invalid messages over all sites first (then by name). */
function errorKindsByTotal(sites: readonly FacilityComparison[]): string[] {
  const totals = new Map<string, number>();
  for (const { errorKind, invalid } of sites.flatMap((site) => site.byErrorKind)) {
    totals.set(errorKind, (totals.get(errorKind) ?? 0) + invalid);
  }
  return [...totals]
    .sort(([a, left], [b, right]) => right - left || a.localeCompare(b))
    .map(([kind]) => kind);
}

/** A site's valid share per step as a small line, described in words for assistive technology. */
function Sparkline({ site, step }: { site: FacilityComparison; step: string }) {
  const points = site.trend.flatMap((point) =>
    point.validShare === null
      ? []
      : [{ time: Date.parse(point.bucketStart), share: point.validShare }],
  );
  const label =
    points.length === 0
      ? `No trend for ${site.site}`
      : `Valid share of ${site.site} per ${step}: ` +
        `lowest ${formatShare(Math.min(...points.map((point) => point.share)))}, ` +
        `latest ${formatShare(points[points.length - 1]?.share ?? null)}`;
  return (
    <div role="img" aria-label={label} title={label} className="sparkline">
      <LineChart
        width={160}
        height={36}
        data={points}
        margin={{ top: 4, right: 4, bottom: 4, left: 4 }}
      >
        <XAxis dataKey="time" type="number" domain={['dataMin', 'dataMax']} hide />
        <YAxis domain={['dataMin', 'dataMax']} hide />
        <Line
          dataKey="share"
          stroke="#15803d"
          dot={points.length === 1}
          isAnimationActive={false}
        />
      </LineChart>
    </div>
  );
}
