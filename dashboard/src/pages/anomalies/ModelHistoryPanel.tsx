import type { ApiClient } from '../../api/client';
import type { ModelLoopReport, ModelLoopStatus } from '../../api/types';
import { Empty, Loaded } from '../../components/States';
import { formatCount, formatShare, formatTime } from '../../format';
import { usePolling } from '../../usePolling';
import { figureTexts, phaseText } from './model-loop-text';

/**
 * The local plant's model loop (phase, serving model, a candidate in shadow and its figures against
 * the serving model's and the inspections) and the model history, newest first. Nothing where the
 * API has no model loop (HTTP 404: not the local plant), nor before its first answer.
 */
export function ModelHistoryPanel({ client, refreshMs }: { client: ApiClient; refreshMs: number }) {
  const report = usePolling('model-loop', (signal) => client.modelLoop(signal), refreshMs);
  if (report.loading || report.data === null) return null;
  return (
    <section className="panel" aria-labelledby="model-history-title">
      <h2 id="model-history-title">Model history</h2>
      <Loaded polled={report} what="model history">
        {(data) => data !== null && <ModelLoop report={data} />}
      </Loaded>
    </section>
  );
}

function ModelLoop({ report: { loop, history } }: { report: ModelLoopReport }) {
  return (
    <>
      {loop === null ? (
        <p className="hint">
          The model loop is off: the serving model is not replaced (a bundle of your own, or{' '}
          <code>modelLoop.enabled</code> false).
        </p>
      ) : (
        <LoopFacts loop={loop} />
      )}
      {history.length === 0 ? (
        <Empty>No model events yet.</Empty>
      ) : (
        <div className="table-scroll">
          <table data-testid="model-history">
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Event</th>
                <th scope="col">Model version</th>
                <th scope="col">Reason</th>
                <th scope="col">Figures</th>
              </tr>
            </thead>
            <tbody>
              {history.map((entry) => (
                <tr key={`${entry.at}|${entry.event}|${entry.modelVersion}`}>
                  <td>{formatTime(entry.at)}</td>
                  <td>
                    <span className={`event event-${entry.event}`}>{entry.event}</span>
                  </td>
                  <td>{entry.modelVersion}</td>
                  <td className="wrap">{entry.reason}</td>
                  <td className="wrap">{figureTexts(entry.figures).join(' · ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function LoopFacts({ loop }: { loop: ModelLoopStatus }) {
  const { shadow } = loop;
  return (
    <dl className="facts" data-testid="model-loop">
      <dt>Phase</dt>
      <dd>
        <strong>{loop.phase}</strong>: {phaseText(loop.phase)}
      </dd>
      <dt>Serving</dt>
      <dd>{loop.serving}</dd>
      {loop.candidate !== undefined && (
        <>
          <dt>Candidate</dt>
          <dd>{loop.candidate}</dd>
        </>
      )}
      {shadow !== undefined && (
        <>
          <dt>Windows compared</dt>
          <dd>{formatCount(shadow.windowsCompared)}</dd>
          <dt>Agreement</dt>
          <dd>{formatShare(shadow.agreement)}</dd>
          <dt>Anomaly rate, serving</dt>
          <dd>{formatShare(shadow.servingAnomalyRate)}</dd>
          <dt>Anomaly rate, candidate</dt>
          <dd>{formatShare(shadow.shadowAnomalyRate)}</dd>
          <dt>Inspected windows</dt>
          <dd>{formatCount(shadow.labelledWindows)}</dd>
          <dt>Error rate, serving</dt>
          <dd>{formatShare(shadow.servingErrorRate)}</dd>
          <dt>Error rate, candidate</dt>
          <dd>{formatShare(shadow.shadowErrorRate)}</dd>
        </>
      )}
    </dl>
  );
}
