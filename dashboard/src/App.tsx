import { useEffect, useMemo, useState } from 'react';
import { ApiClient } from './api/client';
import type { DashboardConfig } from './config';
import { AnomaliesPage } from './pages/AnomaliesPage';
import { ContractsPage } from './pages/ContractsPage';
import { OverviewPage } from './pages/OverviewPage';
import { ViolationsPage } from './pages/ViolationsPage';

/** The pages, addressed by the URL fragment (`#/violations`), so any static host can serve them. */
const PAGES = [
  { path: 'overview', label: 'Compliance overview', Page: OverviewPage },
  { path: 'violations', label: 'Violations', Page: ViolationsPage },
  { path: 'contracts', label: 'Contracts', Page: ContractsPage },
  { path: 'anomalies', label: 'Anomalies', Page: AnomaliesPage },
] as const;

function currentPath(): string {
  return window.location.hash.replace(/^#\/?/, '') || 'overview';
}

/** The dashboard: navigation and the page the URL names. */
export function App({ config }: { config: DashboardConfig }) {
  const [path, setPath] = useState(currentPath);
  const client = useMemo(() => new ApiClient(config), [config]);
  useEffect(() => {
    const onHashChange = () => {
      setPath(currentPath());
    };
    window.addEventListener('hashchange', onHashChange);
    return () => {
      window.removeEventListener('hashchange', onHashChange);
    };
  }, []);
  const page = PAGES.find((candidate) => candidate.path === path);
  useEffect(() => {
    document.title = `${page?.label ?? 'Not found'} · UNS dashboard`;
  }, [page]);
  return (
    <>
      <header className="top">
        <span className="brand">UNS dashboard</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((candidate) => (
              <li key={candidate.path}>
                <a
                  href={`#/${candidate.path}`}
                  aria-current={candidate.path === path ? 'page' : undefined}
                >
                  {candidate.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main>
        {page === undefined ? (
          <p role="alert" className="error">
            There is no page “{path}”. Choose one above.
          </p>
        ) : (
          <page.Page client={client} refreshMs={config.refreshSeconds * 1000} />
        )}
      </main>
    </>
  );
}
