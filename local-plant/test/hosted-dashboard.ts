/**
 * The built dashboard served as the cloud serves it (static files with a deployment's
 * `config.json`), in front of a compliance API that, like the cloud's HTTP API, refuses requests
 * without an access token its authorizer accepts (401) and names sites the caller may not read
 * (403). Accepted requests go on to a real compliance API (the local plant's).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

/** A request that reached the compliance API, and how it was answered. */
export interface ApiCall {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly status: number;
}

/** The running host. */
export interface HostedDashboard {
  readonly url: string;
  /** Every compliance API request, in order. */
  readonly apiCalls: readonly ApiCall[];
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Serves `distDir` with `config()` as its `config.json`, and `/api/v1/compliance/…` from
 * `complianceApi` for requests whose `Authorization` header `accepts` and whose `site`
 * (if any) is among `readableSites`.
 */
export async function startHostedDashboard(options: {
  distDir: string;
  config: () => unknown;
  complianceApi: string;
  accepts: (authorization: string | undefined) => boolean;
  readableSites: readonly string[];
}): Promise<HostedDashboard> {
  const apiCalls: ApiCall[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    const answer = async () => {
      if (url.pathname === '/config.json') {
        send(200, 'application/json', JSON.stringify(options.config()));
      } else if (url.pathname.startsWith('/api/v1/compliance/')) {
        const { authorization } = req.headers;
        const site = url.searchParams.get('site');
        const status = !options.accepts(authorization)
          ? 401
          : site !== null && !options.readableSites.includes(site)
            ? 403
            : 200;
        apiCalls.push({ path: url.pathname + url.search, authorization, status });
        if (status === 401) send(401, 'application/json', '{"message":"Unauthorized"}');
        else if (status === 403) {
          send(403, 'application/json', JSON.stringify({ error: `site ${site} is not readable` }));
        } else {
          const upstream = await fetch(`${options.complianceApi}${url.pathname}${url.search}`);
          send(upstream.status, 'application/json', await upstream.text());
        }
      } else {
        const file = normalize(
          join(options.distDir, url.pathname === '/' ? 'index.html' : url.pathname),
        );
        if (!file.startsWith(options.distDir + sep)) {
          send(404, 'text/plain', 'not found');
          return;
        }
        const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
        send(200, type, await readFile(file));
      }
    };
    answer().catch(() => {
      if (!res.headersSent) send(404, 'text/plain', 'not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    apiCalls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
