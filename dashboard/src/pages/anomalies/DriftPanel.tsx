import { Fragment } from 'react';
import type { ApiClient } from '../../api/client';
import type { AssetDrift } from '../../api/types';
import { Empty, Loaded } from '../../components/States';
import { formatTimeRange } from '../../format';
import { usePolling } from '../../usePolling';
import { baselineText, samplesText } from './drift-text';

/**
 * The serving model's latest drift per asset: each input channel's PSI and the scores' against
 * the threshold, drifted ones marked in words; why not, when the runtime computes no drift.
 */
export function DriftPanel({ client, refreshMs }: { client: ApiClient; refreshMs: number }) {
  const drift = usePolling('anomaly-drift', (signal) => client.anomalyDrift({}, signal), refreshMs);
  return (
    <section className="panel" aria-labelledby="drift-title">
      <h2 id="drift-title">Model drift</h2>
      <Loaded polled={drift} what="model drift">
        {(data) =>
          !data.available ? (
            <Empty>Drift is not computed: {data.reason ?? 'the runtime gives no reason'}.</Empty>
          ) : data.items.length === 0 ? (
            <Empty>
              No asset judged yet: an asset is judged once its window holds enough samples.
            </Empty>
          ) : (
            <>
              <p className="hint">
                Population Stability Index (PSI) of each input channel and of the anomaly scores
                over the last window, against the serving bundle&apos;s baseline; above the
                threshold is drifted. Only the input channels make an asset drifted.
              </p>
              <div className="table-scroll">
                <table data-testid="model-drift">
                  <thead>
                    <tr>
                      <th scope="col">Asset</th>
                      <th scope="col">Model version</th>
                      <th scope="col">Window (UTC)</th>
                      <th scope="col">Drifted</th>
                      <th scope="col" className="number">
                        Threshold
                      </th>
                      <th scope="col">Channels (PSI)</th>
                      <th scope="col">Scores (PSI)</th>
                      <th scope="col">Samples</th>
                      <th scope="col">Baseline</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((item) => (
                      <DriftRow key={item.asset} item={item} />
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function DriftRow({ item }: { item: AssetDrift }) {
  return (
    <tr>
      <td className="wrap path">
        <code>
          {item.asset.split('/').map((level, index) => (
            // A line may break after each slash of the asset path.
            <Fragment key={index}>
              {index > 0 && (
                <>
                  /<wbr />
                </>
              )}
              {level}
            </Fragment>
          ))}
        </code>
      </td>
      <td>{item.modelVersion}</td>
      <td>{formatTimeRange(item.windowStart, item.windowEnd)}</td>
      <td>{item.drifted ? <span className="drifted">yes</span> : 'no'}</td>
      <td className="number">{item.threshold.toFixed(3)}</td>
      <td>
        <ul className="plain">
          {item.channels.map((channel) => (
            <li key={channel.name}>
              <code>{channel.name}</code> {channel.value.toFixed(3)}
              {channel.drifted && <Drifted />}
            </li>
          ))}
        </ul>
      </td>
      <td>
        {item.score === undefined ? (
          <span className="empty">too few scores</span>
        ) : (
          <>
            {item.score.value.toFixed(3)}
            {item.score.drifted && <Drifted />}
          </>
        )}
      </td>
      <td className="wrap narrow">{samplesText(item)}</td>
      <td className="wrap narrow">{baselineText(item.baseline)}</td>
    </tr>
  );
}

function Drifted() {
  return (
    <>
      {' '}
      <span className="drifted">drifted</span>
    </>
  );
}
