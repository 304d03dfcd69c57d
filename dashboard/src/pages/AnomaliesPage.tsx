import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { AnomalyScore, AnomalyStatus } from '../api/types';
import { Empty, Loaded } from '../components/States';
import { formatClock, formatCount, formatShare, formatTime } from '../format';
import { usePolling } from '../usePolling';
import { DriftPanel } from './anomalies/DriftPanel';
import { ModelHistoryPanel } from './anomalies/ModelHistoryPanel';
import type { PageProps } from './page-props';

const clockWithSeconds = (value: number) => formatClock(value, true);

/** Minutes of scores the charts show. */
const SCORE_MINUTES = 10;
/** Events listed. */
const EVENTS = 20;

/**
 * Live anomaly scores per welding cell, anomaly events, the models serving and shadowing, the
 * serving model's drift and, in the local plant, the model loop and its history.
 */
export function AnomaliesPage({ client, refreshMs }: PageProps) {
  const status = usePolling('anomaly-status', (signal) => client.anomalyStatus(signal), refreshMs);
  const scores = usePolling(
    'anomaly-scores',
    (signal) =>
      client.anomalyScores(
        { since: new Date(Date.now() - SCORE_MINUTES * 60_000).toISOString() },
        signal,
      ),
    refreshMs,
  );
  const events = usePolling(
    'anomaly-events',
    (signal) => client.anomalyEvents({ limit: EVENTS }, signal),
    refreshMs,
  );
  return (
    <section aria-labelledby="anomalies-title">
      <h1 id="anomalies-title">Anomalies</h1>
      <Loaded polled={status} what="anomaly runtime status">
        {(data) => <ModelStatus status={data} />}
      </Loaded>

      <section className="panel" aria-labelledby="scores-title">
        <h2 id="scores-title">
          Scores against the threshold per welding cell (last {SCORE_MINUTES} minutes)
        </h2>
        <Loaded polled={scores} what="anomaly scores">
          {(data) =>
            data.items.length === 0 ? (
              <Empty>No windows were scored in the last {SCORE_MINUTES} minutes.</Empty>
            ) : (
              <div className="cells">
                {byAsset(data.items).map(([asset, items]) => (
                  <ScoreChart key={asset} asset={asset} scores={items} />
                ))}
              </div>
            )
          }
        </Loaded>
      </section>

      <section className="panel" aria-labelledby="events-title">
        <h2 id="events-title">Anomaly events</h2>
        <Loaded polled={events} what="anomaly events">
          {(data) =>
            data.items.length === 0 ? (
              <Empty>No anomaly events yet.</Empty>
            ) : (
              <div className="table-scroll">
                <table data-testid="anomaly-events">
                  <thead>
                    <tr>
                      <th scope="col">Asset</th>
                      <th scope="col">Start (UTC)</th>
                      <th scope="col">End (UTC)</th>
                      <th scope="col" className="number">
                        Peak score
                      </th>
                      <th scope="col" className="number">
                        Windows
                      </th>
                      <th scope="col">Model version</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((event) => (
                      <tr key={`${event.asset}@${event.start}`}>
                        <td>
                          <code>{event.asset}</code>
                        </td>
                        <td>{formatTime(event.start)}</td>
                        <td>{formatTime(event.end)}</td>
                        <td className="number">{event.peakScore.toFixed(3)}</td>
                        <td className="number">{formatCount(event.windows)}</td>
                        <td>{event.modelVersion}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Loaded>
      </section>

      <DriftPanel client={client} refreshMs={refreshMs} />
      <ModelHistoryPanel client={client} refreshMs={refreshMs} />
    </section>
  );
}

function ModelStatus({ status }: { status: AnomalyStatus }) {
  const { serving, shadow } = status;
  return (
    <div className="panels">
      <section className="panel" aria-labelledby="serving-title" data-testid="serving-model">
        <h2 id="serving-title">Serving model</h2>
        {serving === null ? (
          <Empty>No model is serving: scores are not being computed.</Empty>
        ) : (
          <dl className="facts">
            <dt>Model</dt>
            <dd>
              {serving.modelName} <strong>{serving.modelVersion}</strong>
            </dd>
            <dt>Threshold</dt>
            <dd>{serving.threshold.toFixed(3)}</dd>
            <dt>Loaded</dt>
            <dd>{formatTime(serving.loadedAt)} UTC</dd>
            <dt>Swaps since start</dt>
            <dd>{formatCount(status.swaps)}</dd>
          </dl>
        )}
      </section>
      <section className="panel" aria-labelledby="shadow-title" data-testid="shadow-model">
        <h2 id="shadow-title">Shadow model</h2>
        {shadow === null ? (
          <Empty>No shadow model is being compared.</Empty>
        ) : (
          <dl className="facts">
            <dt>Model</dt>
            <dd>
              {shadow.modelName} <strong>{shadow.modelVersion}</strong>
            </dd>
            <dt>Threshold</dt>
            <dd>{shadow.threshold.toFixed(3)}</dd>
            <dt>Agreement with serving</dt>
            <dd>
              {formatShare(shadow.agreement)} of {formatCount(shadow.windowsCompared)} windows
            </dd>
          </dl>
        )}
      </section>
      {status.refusals.length > 0 && (
        <section className="panel" aria-labelledby="refusals-title">
          <h2 id="refusals-title">Refused model bundles</h2>
          <ul>
            {status.refusals.map((refusal) => (
              <li key={`${refusal.at}-${refusal.modelVersion ?? ''}`}>
                {formatTime(refusal.at)} UTC: {refusal.modelVersion ?? 'unknown version'}:{' '}
                {refusal.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

/** The serving model's scores of one asset, the shadow's dashed, the threshold as a line. */
function ScoreChart({ asset, scores }: { asset: string; scores: readonly AnomalyScore[] }) {
  const serving = scores.filter((score) => !score.shadow);
  const threshold = serving.at(-1)?.threshold ?? scores.at(-1)?.threshold;
  const points = new Map<
    number,
    { time: number; score?: number; shadow?: number; anomaly?: number }
  >();
  for (const score of scores) {
    const time = Date.parse(score.windowEnd);
    const point = points.get(time) ?? { time };
    if (score.shadow) point.shadow = score.score;
    else {
      point.score = score.score;
      if (score.anomaly) point.anomaly = score.score;
    }
    points.set(time, point);
  }
  const data = [...points.values()].sort((a, b) => a.time - b.time);
  const anomalies = serving.filter((score) => score.anomaly).length;
  const cell = asset.split('/').slice(-2).join('/');
  return (
    <figure className="cell" aria-labelledby={`cell-${asset}`}>
      <figcaption id={`cell-${asset}`}>
        <code title={asset}>{cell}</code>: {formatCount(serving.length)} windows,{' '}
        {formatCount(anomalies)} anomalous
      </figcaption>
      <div
        role="img"
        aria-label={`Anomaly scores of ${asset} over time against the threshold ${threshold?.toFixed(3) ?? ''}`}
      >
        <ResponsiveContainer width="100%" height={180}>
          <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              dataKey="time"
              type="number"
              scale="time"
              domain={['dataMin', 'dataMax']}
              tickFormatter={clockWithSeconds}
              minTickGap={32}
            />
            <YAxis
              width={48}
              tickFormatter={(value: number) => value.toFixed(2)}
              domain={[0, (max: number) => Math.max(max, (threshold ?? 0) * 1.1)]}
            />
            <Tooltip labelFormatter={(value) => clockWithSeconds(Number(value))} />
            {threshold !== undefined && (
              <ReferenceLine
                y={threshold}
                stroke="#b91c1c"
                strokeDasharray="6 3"
                label="threshold"
              />
            )}
            <Line
              dataKey="score"
              name="Score"
              stroke="#1d4ed8"
              dot={false}
              isAnimationActive={false}
              connectNulls
            />
            <Line
              dataKey="anomaly"
              name="Anomalous window"
              stroke="none"
              dot={{ r: 3, fill: '#b91c1c' }}
              isAnimationActive={false}
            />
            <Line
              dataKey="shadow"
              name="Shadow score"
              stroke="#6b7280"
              strokeDasharray="4 2"
              dot={false}
              isAnimationActive={false}
              connectNulls
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** Scores grouped by asset, assets in alphabetical order. */
function byAsset(scores: readonly AnomalyScore[]): [string, AnomalyScore[]][] {
  const groups = new Map<string, AnomalyScore[]>();
  for (const score of scores) {
    const group = groups.get(score.asset) ?? [];
    group.push(score);
    groups.set(score.asset, group);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}
