import { useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ComplianceOverview } from '../api/types';
import { RangeSelect } from '../components/RangeSelect';
import { ShareBar } from '../components/ShareBar';
import { Empty, Loaded } from '../components/States';
import { formatClock, formatCount, formatDuration, formatShare, orDash } from '../format';
import { usePolling } from '../usePolling';
import type { PageProps } from './page-props';

/** The time ranges the overview offers, in minutes. */
const RANGES = [
  { length: 15, label: 'Last 15 minutes' },
  { length: 60, label: 'Last hour' },
  { length: 6 * 60, label: 'Last 6 hours' },
  { length: 24 * 60, label: 'Last 24 hours' },
  { length: 7 * 24 * 60, label: 'Last 7 days' },
];

/** Compliance over a time range: totals, trend, error kinds, valid share per slice, offenders. */
export function OverviewPage({ client, refreshMs, site }: PageProps) {
  const [minutes, setMinutes] = useState(60);
  const overview = usePolling(
    `overview-${String(minutes)}-${site ?? ''}`,
    (signal) =>
      client.overview(
        { since: new Date(Date.now() - minutes * 60_000).toISOString(), site },
        signal,
      ),
    refreshMs,
  );
  return (
    <section aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">Compliance overview</h1>
        <RangeSelect ranges={RANGES} value={minutes} onChange={setMinutes} />
      </div>
      <Loaded polled={overview} what="compliance overview">
        {(data) =>
          data.totals.valid + data.totals.invalid === 0 ? (
            <Empty>No messages were judged in this time range.</Empty>
          ) : (
            <OverviewContent data={data} />
          )
        }
      </Loaded>
    </section>
  );
}

function OverviewContent({ data }: { data: ComplianceOverview }) {
  const { totals } = data;
  const trend = data.trend.map((point) => ({
    time: Date.parse(point.bucketStart),
    invalid: point.invalid,
    validPercent: point.validShare === null ? null : point.validShare * 100,
  }));
  return (
    <>
      <dl className="tiles" aria-label="Totals">
        <Tile
          label="Messages judged"
          value={formatCount(totals.valid + totals.invalid)}
          id="total-messages"
        />
        <Tile label="Valid" value={formatCount(totals.valid)} id="total-valid" />
        <Tile label="Invalid" value={formatCount(totals.invalid)} id="total-invalid" />
        <Tile label="Valid share" value={formatShare(totals.validShare)} id="total-valid-share" />
      </dl>

      <div className="panels">
        <figure className="panel" aria-labelledby="trend-title">
          <figcaption id="trend-title">
            Trend: valid share and invalid messages per {formatDuration(data.range.stepSeconds)}
          </figcaption>
          <div
            role="img"
            aria-label="Chart of the valid share in percent and the invalid messages over time"
          >
            <ResponsiveContainer width="100%" height={260}>
              <ComposedChart data={trend} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis
                  dataKey="time"
                  type="number"
                  scale="time"
                  domain={['dataMin', 'dataMax']}
                  tickFormatter={(value: number) => formatClock(value)}
                  padding={{ left: 24, right: 24 }}
                  minTickGap={32}
                />
                <YAxis yAxisId="share" domain={[0, 100]} unit=" %" width={56} />
                <YAxis yAxisId="invalid" orientation="right" allowDecimals={false} width={48} />
                <Tooltip labelFormatter={(value) => formatClock(Number(value))} />
                <Legend />
                <Bar
                  yAxisId="invalid"
                  barSize={12}
                  dataKey="invalid"
                  name="Invalid messages"
                  fill="#c2410c"
                  isAnimationActive={false}
                />
                <Line
                  yAxisId="share"
                  dataKey="validPercent"
                  name="Valid share (%)"
                  stroke="#15803d"
                  dot={false}
                  isAnimationActive={false}
                />
              </ComposedChart>
            </ResponsiveContainer>
          </div>
        </figure>

        <figure className="panel" aria-labelledby="kinds-title">
          <figcaption id="kinds-title">Invalid messages by error kind</figcaption>
          {data.byErrorKind.length === 0 ? (
            <Empty>No invalid messages in this time range.</Empty>
          ) : (
            <>
              <div role="img" aria-label="Bar chart of the invalid messages per error kind">
                <ResponsiveContainer width="100%" height={40 + 32 * data.byErrorKind.length}>
                  <BarChart
                    data={[...data.byErrorKind]}
                    layout="vertical"
                    margin={{ left: 16, right: 16 }}
                  >
                    <XAxis type="number" allowDecimals={false} />
                    <YAxis type="category" dataKey="errorKind" width={150} />
                    <Tooltip />
                    <Bar
                      dataKey="invalid"
                      name="Invalid messages"
                      fill="#c2410c"
                      isAnimationActive={false}
                    />
                  </BarChart>
                </ResponsiveContainer>
              </div>
              <table className="compact" data-testid="error-kinds">
                <caption className="visually-hidden">Invalid messages by error kind</caption>
                <thead>
                  <tr>
                    <th scope="col">Error kind</th>
                    <th scope="col" className="number">
                      Invalid
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.byErrorKind.map((kind) => (
                    <tr key={kind.errorKind}>
                      <th scope="row">{kind.errorKind}</th>
                      <td className="number">{formatCount(kind.invalid)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </figure>
      </div>

      <section className="panel" aria-labelledby="groups-title">
        <h2 id="groups-title">Valid share per site, area, line, channel and contract version</h2>
        <div className="table-scroll">
          <table data-testid="groups">
            <thead>
              <tr>
                <th scope="col">Site</th>
                <th scope="col">Area</th>
                <th scope="col">Line</th>
                <th scope="col">Channel</th>
                <th scope="col">Contract</th>
                <th scope="col" className="number">
                  Valid
                </th>
                <th scope="col" className="number">
                  Invalid
                </th>
                <th scope="col" className="number">
                  Valid share
                </th>
              </tr>
            </thead>
            <tbody>
              {data.groups.map((group) => (
                <tr
                  key={[
                    group.site,
                    group.area,
                    group.line,
                    group.channel,
                    group.contractVersion,
                  ].join('/')}
                >
                  <td>{orDash(group.site)}</td>
                  <td>{orDash(group.area)}</td>
                  <td>{orDash(group.line)}</td>
                  <td>{group.channel === '' ? 'unknown topic' : group.channel}</td>
                  <td>{orDash(group.contractVersion)}</td>
                  <td className="number">{formatCount(group.valid)}</td>
                  <td className="number">{formatCount(group.invalid)}</td>
                  <td className="number">
                    <ShareBar share={group.validShare} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="panel" aria-labelledby="offenders-title">
        <h2 id="offenders-title">Worst offenders</h2>
        {data.worstOffenders.length === 0 ? (
          <Empty>No line sent invalid messages in this time range.</Empty>
        ) : (
          <div className="table-scroll">
            <table data-testid="offenders">
              <thead>
                <tr>
                  <th scope="col">Site / area / line</th>
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
                {data.worstOffenders.map((offender) => (
                  <tr
                    key={[offender.site, offender.area, offender.line, offender.channel].join('/')}
                  >
                    <td>{[offender.site, offender.area, offender.line].map(orDash).join(' / ')}</td>
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

function Tile({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <div className="tile">
      <dt>{label}</dt>
      <dd data-testid={id}>{value}</dd>
    </div>
  );
}
