import { useEffect, useMemo, useState } from 'react';
import { ApiClient } from './api/client';
import type { Session } from './auth/session';
import { SiteSelector } from './components/SiteSelector';
import type { DashboardConfig } from './config';
import { AnomaliesPage } from './pages/AnomaliesPage';
import { ContractsPage } from './pages/ContractsPage';
import { FacilitiesPage } from './pages/FacilitiesPage';
import { OverviewPage } from './pages/OverviewPage';
import { ViolationsPage } from './pages/ViolationsPage';
import { parseRoute, routeHref } from './route';
import { usePolling } from './usePolling';

/**
 * The pages, addressed by the URL fragment (`#/violations?site=plant-a`), so any static host can
 * serve them. The Anomalies page needs an anomaly API (`anomalyApiBase` not `null`).
 */
const PAGES = [
  { path: 'overview', label: 'Compliance overview', Page: OverviewPage },
  { path: 'facilities', label: 'Facilities', Page: FacilitiesPage },
  { path: 'violations', label: 'Violations', Page: ViolationsPage },
  { path: 'contracts', label: 'Contracts', Page: ContractsPage },
  { path: 'anomalies', label: 'Anomalies', Page: AnomaliesPage },
] as const;

/**
 * The dashboard: navigation, the site selector, the signed-in user (with sign-in configured) and
 * the page the URL names, for the site it names.
 */
export function App({ config, session }: { config: DashboardConfig; session?: Session }) {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  const client = useMemo(() => new ApiClient(config, session), [config, session]);
  const refreshMs = config.refreshSeconds * 1000;
  const sites = usePolling('sites', (signal) => client.sites(signal), refreshMs * 6);
  const siteNames =
    sites.data?.items.map((item) => item.site).filter((site) => site !== '') ??
    (sites.loading ? undefined : []);
  useEffect(() => {
    const onHashChange = () => {
      setRoute(parseRoute(window.location.hash));
    };
    window.addEventListener('hashchange', onHashChange);
    return () => {
      window.removeEventListener('hashchange', onHashChange);
    };
  }, []);
  const pages = PAGES.filter((page) => page.path !== 'anomalies' || client.hasAnomalyApi);
  const page = pages.find((candidate) => candidate.path === route.page);
  useEffect(() => {
    const site = route.site === undefined ? '' : ` · ${route.site}`;
    document.title = `${page?.label ?? 'Not found'}${site} · UNS dashboard`;
  }, [page, route.site]);
  return (
    <>
      <header className="top">
        <span className="brand">UNS dashboard</span>
        <nav aria-label="Pages">
          <ul>
            {pages.map((candidate) => (
              <li key={candidate.path}>
                <a
                  href={routeHref({ page: candidate.path, site: route.site })}
                  aria-current={candidate.path === route.page ? 'page' : undefined}
                >
                  {candidate.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="top-tools">
          <SiteSelector
            sites={siteNames}
            error={sites.error}
            chosen={route.site}
            onChoose={(site) => {
              window.location.hash = routeHref({ page: route.page, site });
            }}
          />
          {session !== undefined && <UserMenu session={session} />}
        </div>
      </header>
      <main>
        {page === undefined ? (
          <p role="alert" className="error">
            There is no page “{route.page}”. Choose one above.
          </p>
        ) : (
          <page.Page client={client} refreshMs={refreshMs} site={route.site} sites={siteNames} />
        )}
      </main>
    </>
  );
}

/** Who is signed in, and the way out. */
function UserMenu({ session }: { session: Session }) {
  return (
    <div className="user">
      <span>
        Signed in as <strong data-testid="user-name">{session.userName}</strong>
      </span>
      <button
        type="button"
        onClick={() => {
          void session.signOut();
        }}
      >
        Sign out
      </button>
    </div>
  );
}
