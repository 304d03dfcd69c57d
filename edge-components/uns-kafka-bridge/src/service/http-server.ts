import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A readiness or liveness answer: HTTP 200 when `ok`, 503 otherwise, with the checks as JSON. */
export interface Probe {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, boolean | number | string>>;
}

/** What the endpoints serve. */
export interface HttpHandlers {
  /** `GET /health` */
  health(): Probe;
  /** `GET /ready` */
  readiness(): Probe;
  /** `GET /metrics`: Prometheus text exposition. */
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** A running HTTP server. */
export interface RunningHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `/health`, `/ready` and `/metrics` (GET only; anything else is 404 or 405). */
export async function startHttpServer(
  options: { host: string; port: number },
  handlers: HttpHandlers,
): Promise<RunningHttpServer> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const reply = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(body);
    };
    const json = (status: number, value: unknown) => {
      reply(status, 'application/json', JSON.stringify(value));
    };
    if (path !== '/health' && path !== '/ready' && path !== '/metrics') {
      json(404, { error: `no such endpoint: ${path}` });
    } else if (request.method !== 'GET') {
      json(405, { error: 'only GET is supported' });
    } else if (path === '/metrics') {
      handlers.metrics().then(
        ({ contentType, body }) => {
          reply(200, contentType, body);
        },
        (error: unknown) => {
          json(500, { error: (error as Error).message });
        },
      );
    } else {
      const probe = path === '/health' ? handlers.health() : handlers.readiness();
      json(probe.ok ? 200 : 503, probe);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
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
