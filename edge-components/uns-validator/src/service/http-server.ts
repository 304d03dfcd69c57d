import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  /** `GET /api/compliance`: compliance summaries (JSON). */
  compliance(query: URLSearchParams): Promise<unknown>;
  /** `GET /api/violations`: recent violation samples (JSON). */
  violations(query: URLSearchParams): Promise<unknown>;
  /** `GET /api/contracts`: contracts in force (JSON). */
  contracts(): unknown;
}

/** A running HTTP server. */
export interface RunningHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A request the client got wrong: answered with HTTP 400 and the message. */
export class BadRequestError extends Error {}

/**
 * Serves health, readiness, Prometheus metrics and the compliance API (the dashboard reads the
 * same API from the cloud later). Unknown paths are 404, other methods 405, handler failures 500
 * with the error message; nothing a client sends can stop the server.
 */
export async function startHttpServer(
  options: { host: string; port: number },
  handlers: HttpHandlers,
): Promise<RunningHttpServer> {
  const routes: Record<string, (query: URLSearchParams) => Promise<Reply>> = {
    '/health': () => Promise.resolve(probeReply(handlers.health())),
    '/ready': () => Promise.resolve(probeReply(handlers.readiness())),
    '/metrics': async () => {
      const { contentType, body } = await handlers.metrics();
      return { status: 200, contentType, body };
    },
    '/api/compliance': async (query) => jsonReply(200, await handlers.compliance(query)),
    '/api/violations': async (query) => jsonReply(200, await handlers.violations(query)),
    '/api/contracts': () => Promise.resolve(jsonReply(200, handlers.contracts())),
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    const reply: Promise<Reply> =
      route === undefined
        ? Promise.resolve(jsonReply(404, { error: `no such endpoint: ${url.pathname}` }))
        : request.method !== 'GET'
          ? Promise.resolve(jsonReply(405, { error: 'only GET is supported' }))
          : route(url.searchParams).catch((error: unknown) =>
              jsonReply(error instanceof BadRequestError ? 400 : 500, {
                error: (error as Error).message,
              }),
            );
    void reply.then(({ status, contentType, body }) => {
      response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
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
  body: string;
}

function jsonReply(status: number, value: unknown): Reply {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

function probeReply(probe: Probe): Reply {
  return jsonReply(probe.ok ? 200 : 503, probe);
}
