import { createReadStream, existsSync, statSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

/** A path prefix whose requests are passed on to a component's own HTTP server. */
export interface ProxyRoute {
  /** Path prefix, e.g. `/api/v1/compliance`. */
  readonly prefix: string;
  /** Base URL of the component, e.g. `http://127.0.0.1:9464`. */
  readonly target: string;
}

/** A path prefix the plant answers itself with JSON (GET only). */
export interface JsonRoute {
  /** Path prefix, e.g. `/api/v1/models`. */
  readonly prefix: string;
  /** The answer's body. */
  readonly json: () => unknown;
}

/** A route of the web server. */
export type ApiRoute = ProxyRoute | JsonRoute;

/** Options of {@link startWebServer}. */
export interface WebServerOptions {
  readonly host: string;
  readonly port: number;
  /** Directory of the built dashboard (index.html and assets). */
  readonly staticDir: string;
  readonly routes: readonly ApiRoute[];
}

/** The running dashboard server. */
export interface WebServer {
  readonly url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.yaml': 'application/yaml',
};

/**
 * Serves the dashboard's static files (any unknown path gets index.html, for client-side routes)
 * and passes the API prefixes on to the components, so the browser sees one origin.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const route = options.routes.find((r) => path.startsWith(r.prefix));
    if (route === undefined) serveStatic(path, res, options.staticDir);
    else if ('target' in route) proxy(req, res, route.target);
    else answerJson(req, res, route.json);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `dashboard port ${String(options.port)} is taken: set --port (UNS_PLANT_HTTP_PORT)`,
            )
          : error,
      );
    });
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${String(port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

function proxy(req: IncomingMessage, res: ServerResponse, target: string): void {
  const upstream = httpRequest(
    new URL(req.url ?? '/', target),
    { method: req.method, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `component unreachable: ${error.message}` }));
  });
  req.pipe(upstream);
}

function answerJson(req: IncomingMessage, res: ServerResponse, json: () => unknown): void {
  if (req.method !== 'GET') {
    res.writeHead(405, { 'content-type': 'application/json', allow: 'GET' });
    res.end(JSON.stringify({ error: `${String(req.method)} is not allowed here; use GET` }));
    return;
  }
  try {
    const body = JSON.stringify(json());
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(body);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
  }
}

function serveStatic(path: string, res: ServerResponse, root: string): void {
  const requested = normalize(join(root, decodeURIComponent(path)));
  const inside = requested === root || requested.startsWith(root + sep);
  const file =
    inside && existsSync(requested) && statSync(requested).isFile()
      ? requested
      : join(root, 'index.html');
  if (!existsSync(file)) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('dashboard not built');
    return;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'max-age=3600',
  });
  createReadStream(file).pipe(res);
}
