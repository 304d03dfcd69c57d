import {
  jsonReply,
  type MonitoringHandlers,
  monitoringRoutes,
  type Reply,
  type Route,
  type RunningHttpServer,
  startHttpServer as serveRoutes,
} from '@uns-mlops/edge-common';
import type { ApiRoute } from '../api/compliance-routes';
import { readStaticAsset } from '../api/static-assets';

/** The running server, as edge-common starts it. */
export type { RunningHttpServer };

/** What the HTTP endpoints serve; each API handler gets the query string parameters. */
export interface HttpHandlers extends MonitoringHandlers {
  /** The dashboard's API (`/api/v1/...`, JSON), by path. */
  api: Readonly<Record<string, ApiRoute>>;
}

/** Where the HTTP server listens and what else it serves. */
export interface HttpServerOptions {
  host: string;
  port: number;
  /** Directory of the built dashboard, served at `/` (nothing is served there without it). */
  dashboardDir?: string;
}

/**
 * Serves health (the process is alive and its loops run), readiness (contracts loaded, store
 * open, broker connected), Prometheus metrics, the compliance API (the dashboard reads the same
 * API from the cloud later) and, when configured, the dashboard's files. Other methods are 405,
 * unknown paths 404, handler failures 500 with the error message (see edge-common's server).
 */
export function startHttpServer(
  options: HttpServerOptions,
  handlers: HttpHandlers,
): Promise<RunningHttpServer> {
  const routes: Record<string, Route> = monitoringRoutes(handlers);
  for (const [path, route] of Object.entries(handlers.api)) {
    routes[path] = async (query) => jsonReply(await route(query));
  }
  const { dashboardDir } = options;
  return serveRoutes(options, routes, async (pathname): Promise<Reply> => {
    const asset =
      dashboardDir === undefined || pathname.startsWith('/api/')
        ? undefined
        : await readStaticAsset(dashboardDir, pathname);
    return asset === undefined
      ? jsonReply({ error: `no such endpoint: ${pathname}` }, 404)
      : { status: 200, ...asset, headers: DASHBOARD_HEADERS };
  });
}

/** The dashboard's files may not be framed, sniffed as another type or run plugins. */
const DASHBOARD_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
};
