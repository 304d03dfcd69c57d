import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiRoute } from '../api/compliance-routes';
import { readStaticAsset } from '../api/static-assets';

/** A readiness or liveness answer: HTTP 200 when `ok`, 503 otherwise, with the checks as JSON. */
export interface Probe {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, boolean | string>>;
}

/** What the HTTP endpoints serve; each handler gets the query string parameters. */
export interface HttpHandlers {
  /** `GET /health`: the process is alive and its loops run. */
  health(): Probe;
  /** `GET /ready`: contracts loaded, store open, broker connected. */
  readiness(): Probe;
  /** `GET /metrics`: Prometheus text exposition. */
  metrics(): Promise<{ contentType: string; body: string }>;
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

/** A running HTTP server. */
export interface RunningHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A request the client got wrong: answered with HTTP 400 and the message. */
export class BadRequestError extends Error {}

/**
 * Serves health, readiness, Prometheus metrics, the compliance API (the dashboard reads the same
 * API from the cloud later) and, when configured, the dashboard's files. Unknown paths are 404,
 * other methods 405, handler failures 500 with the error message; nothing a client sends can stop
 * the server.
 */
export async function startHttpServer(
  options: HttpServerOptions,
  handlers: HttpHandlers,
): Promise<RunningHttpServer> {
  const routes: Record<string, (query: URLSearchParams) => Promise<Reply>> = {
    '/health': () => Promise.resolve(probeReply(handlers.health())),
    '/ready': () => Promise.resolve(probeReply(handlers.readiness())),
    '/metrics': async () => {
      const { contentType, body } = await handlers.metrics();
      return { status: 200, contentType, body };
    },
  };
  for (const [path, route] of Object.entries(handlers.api)) {
    routes[path] = async (query) => jsonReply(200, await route(query));
  }
  const { dashboardDir } = options;
  const fallback = async (pathname: string): Promise<Reply> => {
    const asset =
      dashboardDir === undefined || pathname.startsWith('/api/')
        ? undefined
        : await readStaticAsset(dashboardDir, pathname);
    return asset === undefined
      ? jsonReply(404, { error: `no such endpoint: ${pathname}` })
      : { status: 200, ...asset, headers: DASHBOARD_HEADERS };
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    const reply: Promise<Reply> =
      request.method !== 'GET'
        ? Promise.resolve(jsonReply(405, { error: 'only GET is supported' }))
        : route === undefined
          ? fallback(url.pathname)
          : route(url.searchParams).catch((error: unknown) =>
              jsonReply(error instanceof BadRequestError ? 400 : 500, {
                error: (error as Error).message,
              }),
            );
    void reply.then(({ status, contentType, body, cacheControl, headers }) => {
      response.writeHead(status, {
        ...headers,
        'content-type': contentType,
        'cache-control': cacheControl ?? 'no-store',
      });
      response.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

interface Reply {
  status: number;
  contentType: string;
  body: string | Buffer;
  /** Default `no-store`. */
  cacheControl?: string;
  headers?: Readonly<Record<string, string>>;
}

/** The dashboard's files may not be framed, sniffed as another type or run plugins. */
const DASHBOARD_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
};

function jsonReply(status: number, value: unknown): Reply {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

function probeReply(probe: Probe): Reply {
  return jsonReply(probe.ok ? 200 : 503, probe);
}
