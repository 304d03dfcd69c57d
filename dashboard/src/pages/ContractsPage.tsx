import type { ContractWarning } from '../api/types';
import { Empty, Loaded } from '../components/States';
import { formatTime } from '../format';
import { usePolling } from '../usePolling';
import type { PageProps } from './page-props';

/**
 * The contracts a site's validator judges by now, their channels, enforcement modes and warnings,
 * and the history of every contract it loaded. The cloud keeps every plant's contracts, so the page
 * always names a site: the chosen one, else the first the caller may read.
 */
export function ContractsPage({ client, refreshMs, site, sites }: PageProps) {
  // Until the sites are known there is no site to ask for; a store with no site yet (a plant's
  // first minutes) still has its validator's contracts, asked for without a site.
  const shown = site ?? sites?.[0];
  return (
    <section aria-labelledby="contracts-title">
      <h1 id="contracts-title">Contracts in force{shown !== undefined && ` at ${shown}`}</h1>
      {site === undefined && sites === undefined ? (
        <p role="status" className="loading">
          Loading the sites…
        </p>
      ) : (
        <Contracts client={client} refreshMs={refreshMs} site={shown} />
      )}
    </section>
  );
}

function Contracts({ client, refreshMs, site }: Pick<PageProps, 'client' | 'refreshMs' | 'site'>) {
  const contracts = usePolling(
    `contracts-${site ?? ''}`,
    (signal) => client.contracts({ site }, signal),
    refreshMs,
  );
  return (
    <Loaded polled={contracts} what="contracts">
      {(report) => (
        <>
          <p className="hint">
            Channels without a mode of their own are in{' '}
            <strong>{report.enforcement.defaultMode}</strong> mode. Quarantined messages are
            republished under <code>{report.enforcement.quarantinePrefix}/…</code>, filtered valid
            ones under <code>{report.enforcement.validatedPrefix}/…</code>.
          </p>
          {report.inForce.length === 0 && <Empty>No contract is loaded.</Empty>}
          {report.inForce.map((contract) => (
            <section
              key={`${contract.title}@${contract.version}`}
              className="panel"
              aria-label={`${contract.title} ${contract.version}`}
              data-testid="contract"
            >
              <h2>
                {contract.title} <span className="version">version {contract.version}</span>
              </h2>
              <p className="hint">
                AsyncAPI {contract.asyncapiVersion} · <code>{contract.source}</code>
              </p>
              {contract.warnings.length > 0 && <Warnings warnings={contract.warnings} />}
              <div className="table-scroll">
                <table>
                  <caption className="visually-hidden">Channels of {contract.title}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Channel</th>
                      <th scope="col">Address</th>
                      <th scope="col">Enforcement</th>
                    </tr>
                  </thead>
                  <tbody>
                    {contract.channels.map((channel) => (
                      <tr key={channel.id}>
                        <th scope="row">{channel.id}</th>
                        <td>
                          <code>{channel.address}</code>
                        </td>
                        <td>
                          <span className={`mode mode-${channel.enforcement}`}>
                            {channel.enforcement}
                          </span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ))}
          <section className="panel" aria-labelledby="history-title">
            <h2 id="history-title">Every contract loaded</h2>
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">Version</th>
                    <th scope="col">First loaded (UTC)</th>
                    <th scope="col">Last loaded (UTC)</th>
                    <th scope="col">Channels</th>
                  </tr>
                </thead>
                <tbody>
                  {report.history.map((record) => (
                    <tr key={`${record.title}@${record.version}`}>
                      <td>{record.title}</td>
                      <td>{record.version}</td>
                      <td>{formatTime(record.firstLoadedAt)}</td>
                      <td>{formatTime(record.lastLoadedAt)}</td>
                      <td>{record.channels.length}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </Loaded>
  );
}

/** A contract's examples that contradict its own schemas: loaded anyway, examples are no rules. */
function Warnings({ warnings }: { warnings: readonly ContractWarning[] }) {
  return (
    <div className="warnings" role="note" data-testid="contract-warnings">
      <p>
        <strong>
          {warnings.length} {warnings.length === 1 ? 'warning' : 'warnings'}
        </strong>
        : examples that contradict the contract's own schemas. They do not change which payloads are
        valid; with <code>contracts.strict</code> the validator would refuse the contract.
      </p>
      <ul>
        {warnings.map((warning, index) => (
          <li key={index}>
            line {warning.line} <code>{warning.path}</code>: {warning.message}{' '}
            <span className="rule">[{warning.rule}]</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
