import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A readiness or liveness answer: HTTP 200 when `ok`, 503 otherwise, with the checks as JSON. */
export interface Probe {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, boolean | string>>;
}

/** An HTTP answer. */
export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** A GET handler of one path, given the query string. */
export type Route = (query: URLSearchParams) => Reply | Promise<Reply>;

/** A request the client got wrong: answered with HTTP 400 and the message. */
export class BadRequestError extends Error {}

/** A running HTTP server. */
export interface RunningHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

export function json(value: unknown, status = 200): Reply {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

export function probe(answer: Probe): Reply {
  return json(answer, answer.ok ? 200 : 503);
}

/**
 * Serves GET routes by exact path. Unknown paths are 404, other methods 405, a
 * {@link BadRequestError} 400 and any other failure 500, with the message as JSON; nothing a
 * client sends can stop the server. (Same behaviour as the uns-validator's server, with a route
 * table instead of fixed handlers: a candidate for a shared module.)
 */
export async function startHttpServer(
  options: { host: string; port: number },
  routes: Readonly<Record<string, Route>>,
): Promise<RunningHttpServer> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    const reply: Promise<Reply> =
      route === undefined
        ? Promise.resolve(json({ error: `no such endpoint: ${url.pathname}` }, 404))
        : request.method !== 'GET'
          ? Promise.resolve(json({ error: 'only GET is supported' }, 405))
          : Promise.resolve()
              .then(() => route(url.searchParams))
              .catch((error: unknown) =>
                json(
                  { error: (error as Error).message },
                  error instanceof BadRequestError ? 400 : 500,
                ),
              );
    void reply.then(({ status, contentType, body }) => {
      response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(body);
    });
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
