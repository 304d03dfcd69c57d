import { useState } from 'react';
import type { Violation } from '../api/types';
import { Empty, Loaded } from '../components/States';
import { formatCount, formatTime, orDash } from '../format';
import { usePolling } from '../usePolling';
import type { PageProps } from './page-props';

/** Samples shown per page; "Show older" adds one more page. */
const PAGE = 25;
/** Characters of a payload shown before it is cut. */
const PAYLOAD_CHARS = 400;

/**
 * Recent violation samples of the chosen site (or every readable one): topic, error, schema path,
 * contract version and the payload, filtered by error kind.
 */
export function ViolationsPage({ client, refreshMs, site }: PageProps) {
  const [errorKind, setErrorKind] = useState('');
  const [pages, setPages] = useState(1);
  const facets = usePolling(
    `facets-${site ?? ''}`,
    (signal) => client.facets({ site }, signal),
    refreshMs * 6,
  );
  const limit = Math.min(PAGE * pages, 500);
  const violations = usePolling(
    `violations-${JSON.stringify([site, errorKind, limit])}`,
    (signal) =>
      client.violations(
        { limit, site, errorKind: errorKind === '' ? undefined : errorKind },
        signal,
      ),
    refreshMs,
  );
  // A kind chosen for another site stays a choice until changed, even where no sample has it.
  const kinds = facets.data?.errorKinds ?? [];
  const kindOptions = errorKind === '' || kinds.includes(errorKind) ? kinds : [errorKind, ...kinds];
  return (
    <section aria-labelledby="violations-title">
      <div className="page-head">
        <h1 id="violations-title">Violations</h1>
        <div className="filters">
          <label>
            Error kind{' '}
            <select
              value={errorKind}
              onChange={(event) => {
                setErrorKind(event.target.value);
                setPages(1);
              }}
            >
              <option value="">All</option>
              {kindOptions.map((kind) => (
                <option key={kind} value={kind}>
                  {kind}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <p className="hint">
        A sample of the invalid messages, newest first, each with its first error. The payload is
        shown up to {formatCount(PAYLOAD_CHARS)} characters (the store keeps its first 2 KB).
      </p>
      <Loaded polled={violations} what="violations">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>
              No violation samples
              {errorKind !== '' ? ' of this error kind' : ' yet'}
              {site !== undefined && ` at site ${site}`}.
            </Empty>
          ) : (
            <>
              <ol className="violations" aria-label="Violation samples">
                {page.items.map((violation) => (
                  <ViolationItem key={violation.id} violation={violation} />
                ))}
              </ol>
              {page.nextCursor !== null && limit < 500 && (
                <button
                  type="button"
                  onClick={() => {
                    setPages(pages + 1);
                  }}
                >
                  Show older violations
                </button>
              )}
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function ViolationItem({ violation }: { violation: Violation }) {
  const payload =
    violation.payloadExcerpt.length > PAYLOAD_CHARS
      ? `${violation.payloadExcerpt.slice(0, PAYLOAD_CHARS)}…`
      : violation.payloadExcerpt;
  const cut =
    violation.payloadExcerpt.length > PAYLOAD_CHARS ||
    payloadBytes(violation) < violation.payloadSize;
  return (
    <li className="violation panel" data-testid="violation">
      <div className="violation-head">
        <span className={`kind kind-${violation.errorKind}`}>{violation.errorKind}</span>
        <code className="topic" data-testid="violation-topic">
          {violation.topic}
        </code>
        <time dateTime={violation.receivedAt}>{formatTime(violation.receivedAt)} UTC</time>
      </div>
      <p className="message" data-testid="violation-message">
        {violation.message}
        {violation.errorCount > 1 && ` (and ${String(violation.errorCount - 1)} more errors)`}
      </p>
      <dl className="facts">
        <dt>Schema path</dt>
        <dd>
          <code>{orDash(violation.schemaPath)}</code>
        </dd>
        <dt>Payload path</dt>
        <dd>
          <code>{orDash(violation.payloadPath)}</code>
        </dd>
        <dt>Contract version</dt>
        <dd>{orDash(violation.contractVersion)}</dd>
        <dt>Channel</dt>
        <dd>{violation.channel === '' ? 'unknown topic' : violation.channel}</dd>
        {violation.assertion !== '' && (
          <>
            <dt>Sparkplug assertion</dt>
            <dd>
              <code>{violation.assertion}</code>
            </dd>
          </>
        )}
      </dl>
      <details>
        <summary>
          Payload ({formatCount(violation.payloadSize)} bytes
          {violation.payloadEncoding === 'base64' ? ', binary, as base64' : ''}
          {cut ? ', truncated' : ''})
        </summary>
        <pre data-testid="violation-payload">{payload}</pre>
      </details>
    </li>
  );
}

/** Bytes of the payload the excerpt holds. */
function payloadBytes(violation: Violation): number {
  return violation.payloadEncoding === 'base64'
    ? Math.floor((violation.payloadExcerpt.replace(/=+$/, '').length * 3) / 4)
    : new TextEncoder().encode(violation.payloadExcerpt).byteLength;
}
