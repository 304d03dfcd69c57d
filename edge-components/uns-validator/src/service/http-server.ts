import {
  type HttpServerOptions as ServeOptions,
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

/**
 * Where the HTTP server listens, whom it tells about failures (`onError`, see edge-common's
 * server) and what else it serves.
 */
export interface HttpServerOptions extends ServeOptions {
  /** Directory of the built dashboard, served at `/` (nothing is served there without it). */
  dashboardDir?: string;
  /** Base URL of the anomaly inference runtime, whose anomaly API is relayed (none without). */
  anomalyApi?: string;
}

/** The anomaly inference runtime's API, which the dashboard's anomaly page reads. */
const ANOMALY_API_PREFIX = '/api/v1/anomalies/';
/** How long a relayed anomaly API request may take. */
const RELAY_TIMEOUT_MS = 5_000;

/**
 * Serves health (the process is alive and its loops run), readiness (contracts loaded, store
 * open, broker connected), Prometheus metrics, the compliance API (the dashboard reads the same
 * API from the cloud later) and, when configured, the dashboard's files and the anomaly API of the
 * inference runtime beside it (relayed: one origin for the dashboard). Other methods are 405,
 * unknown paths 404, bad query parameters 400 with the reason, other failures (a store error,
 * say) a generic 500 with a request id, the failure itself going to `options.onError`; malformed
 * requests get the 4xx edge-common's server gives them.
 */
export function startHttpServer(
  options: HttpServerOptions,
  handlers: HttpHandlers,
): Promise<RunningHttpServer> {
  const routes: Record<string, Route> = monitoringRoutes(handlers);
  for (const [path, route] of Object.entries(handlers.api)) {
    routes[path] = async (query) => jsonReply(await route(query));
  }
  const { dashboardDir, anomalyApi } = options;
  return serveRoutes(options, routes, async (pathname, query): Promise<Reply> => {
    if (anomalyApi !== undefined && pathname.startsWith(ANOMALY_API_PREFIX))
      return relay(anomalyApi, pathname, query);
    const asset =
      dashboardDir === undefined || pathname.startsWith('/api/')
        ? undefined
        : await readStaticAsset(dashboardDir, pathname);
    return asset === undefined
      ? jsonReply({ error: `no such endpoint: ${pathname}` }, 404)
      : { status: 200, ...asset, headers: DASHBOARD_HEADERS };
  });
}

/** The answer of `base` to a GET of `pathname?query`, or 502 saying why there is none. */
async function relay(base: string, pathname: string, query: URLSearchParams): Promise<Reply> {
  const url = new URL(pathname, base);
  url.search = query.toString();
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(RELAY_TIMEOUT_MS) });
    return {
      status: answer.status,
      contentType: answer.headers.get('content-type') ?? 'application/json',
      body: Buffer.from(await answer.arrayBuffer()),
    };
  } catch (error) {
    return jsonReply(
      { error: `anomaly inference unreachable at ${base}: ${(error as Error).message}` },
      502,
    );
  }
}

/** The dashboard's files may not be framed, sniffed as another type or run plugins. */
const DASHBOARD_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
};
