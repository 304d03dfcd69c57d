import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A readiness or liveness answer: HTTP 200 when `ok`, 503 otherwise, with the checks as JSON. */
export interface Probe {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, boolean | number | string>>;
}

/** An HTTP answer. */
export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | Buffer;
  /** `Cache-Control` value; default `no-store`. */
  readonly cacheControl?: string;
  /** Further response headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A GET handler of one path, given the query string. */
export type Route = (query: URLSearchParams) => Reply | Promise<Reply>;

/** Answers the GET requests of paths no route serves (static files, say) by their path. */
export type FallbackRoute = (pathname: string, query: URLSearchParams) => Promise<Reply>;

/** A request the client got wrong: answered with HTTP 400 and the message. */
export class BadRequestError extends Error {}

/** A running HTTP server. */
export interface RunningHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** What the monitoring endpoints every component serves answer with. */
export interface MonitoringHandlers {
  /**
   * The component's name (e.g. `uns-validator`), put into every probe's answer so that a caller
   * sees which component answered on a port.
   */
  readonly component: string;
  /** `GET /health`: the process is alive and its loops run. */
  health(): Probe;
  /** `GET /ready`: the component does its work. */
  readiness(): Probe;
  /** `GET /metrics`: Prometheus text exposition. */
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** `value` as JSON. */
export function jsonReply(value: unknown, status = 200): Reply {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

/** A probe as JSON: 200 when it is ok, 503 otherwise; named after `component` when given. */
export function probeReply(probe: Probe, component?: string): Reply {
  return jsonReply(component === undefined ? probe : { component, ...probe }, probe.ok ? 200 : 503);
}

/** The routes of `/health`, `/ready` and `/metrics`. */
export function monitoringRoutes(handlers: MonitoringHandlers): Record<string, Route> {
  return {
    '/health': () => probeReply(handlers.health(), handlers.component),
    '/ready': () => probeReply(handlers.readiness(), handlers.component),
    '/metrics': async () => ({ status: 200, ...(await handlers.metrics()) }),
  };
}

/**
 * Serves GET routes by exact path, and the other paths by `fallback` when given. Other methods
 * are 405; unknown paths 404 (without a fallback, before the method is looked at); a
 * {@link BadRequestError} 400 and any other failure 500, with the message as JSON. Nothing a
 * client sends can stop the server.
 */
export async function startHttpServer(
  options: { readonly host: string; readonly port: number },
  routes: Readonly<Record<string, Route>>,
  fallback?: FallbackRoute,
): Promise<RunningHttpServer> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    const serve =
      route !== undefined
        ? () => route(url.searchParams)
        : fallback !== undefined
          ? () => fallback(url.pathname, url.searchParams)
          : undefined;
    const reply: Promise<Reply> =
      serve === undefined
        ? Promise.resolve(jsonReply({ error: `no such endpoint: ${url.pathname}` }, 404))
        : request.method !== 'GET'
          ? Promise.resolve(jsonReply({ error: 'only GET is supported' }, 405))
          : Promise.resolve()
              .then(serve)
              .catch((error: unknown) =>
                jsonReply(
                  { error: (error as Error).message },
                  error instanceof BadRequestError ? 400 : 500,
                ),
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
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new Error(
              `cannot serve HTTP on ${options.host}:${String(options.port)} (${error.code}): ` +
                'another process holds the port, or it is not allowed; set http.port to a free one',
            )
          : error,
      );
    });
    server.listen(options.port, options.host, resolve);
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
