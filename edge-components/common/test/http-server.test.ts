import {
  BadRequestError,
  jsonReply,
  monitoringRoutes,
  type RunningHttpServer,
  startHttpServer,
} from '../src/http-server';

const LOCAL = { host: '127.0.0.1', port: 0 };

/** Status and body of a request. */
async function get(server: RunningHttpServer, path: string, method = 'GET') {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
  return [response.status, await response.text()];
}

async function cacheControl(server: RunningHttpServer, path: string) {
  return (await fetch(`http://127.0.0.1:${server.port}${path}`)).headers.get('cache-control');
}

describe('startHttpServer', () => {
  let server: RunningHttpServer;
  let withFallback: RunningHttpServer;

  beforeAll(async () => {
    const routes = {
      ...monitoringRoutes({
        component: 'demo-component',
        health: () => ({ ok: true, checks: { loop: true } }),
        readiness: () => ({ ok: false, checks: { broker: 'connecting' } }),
        metrics: () => Promise.resolve({ contentType: 'text/plain', body: 'up 1\n' }),
      }),
      '/echo': (query: URLSearchParams) => jsonReply({ q: query.get('q') }),
      '/bad': () => {
        throw new BadRequestError('q is missing');
      },
      '/broken': () => Promise.reject(new Error('disk full')),
    };
    server = await startHttpServer(LOCAL, routes);
    withFallback = await startHttpServer(LOCAL, routes, (pathname) =>
      Promise.resolve(
        pathname === '/index.html'
          ? { status: 200, contentType: 'text/html', body: '<p>', cacheControl: 'no-cache' }
          : jsonReply({ error: 'not here' }, 404),
      ),
    );
  });

  afterAll(async () => {
    await server.close();
    await withFallback.close();
  });

  it('serves health, readiness (503 when not ok) and metrics', async () => {
    expect(await get(server, '/health')).toEqual([
      200,
      '{"component":"demo-component","ok":true,"checks":{"loop":true}}',
    ]);
    expect((await get(server, '/ready'))[0]).toBe(503);
    expect(await get(server, '/metrics')).toEqual([200, 'up 1\n']);
    expect(await cacheControl(server, '/health')).toBe('no-store');
  });

  it('passes the query string and answers 400 for bad requests, 500 for failures', async () => {
    expect(await get(server, '/echo?q=x')).toEqual([200, '{"q":"x"}']);
    expect(await get(server, '/bad')).toEqual([400, '{"error":"q is missing"}']);
    expect(await get(server, '/broken')).toEqual([500, '{"error":"disk full"}']);
  });

  it('answers unknown paths with 404 and other methods with 405', async () => {
    expect((await get(server, '/nothing'))[0]).toBe(404);
    expect((await get(server, '/nothing', 'POST'))[0]).toBe(404);
    expect((await get(server, '/health', 'POST'))[0]).toBe(405);
  });

  it('hands the paths no route serves to the fallback, GET only', async () => {
    expect(await get(withFallback, '/index.html')).toEqual([200, '<p>']);
    expect(await cacheControl(withFallback, '/index.html')).toBe('no-cache');
    expect((await get(withFallback, '/nothing'))[0]).toBe(404);
    expect((await get(withFallback, '/nothing', 'POST'))[0]).toBe(405);
    expect((await get(withFallback, '/health'))[0]).toBe(200);
  });

  it('refuses to start on a port another process holds, saying which and what to set', async () => {
    await expect(startHttpServer({ host: '127.0.0.1', port: server.port }, {})).rejects.toThrow(
      `cannot serve HTTP on 127.0.0.1:${server.port} (EADDRINUSE): another process holds the port, or it is not allowed; set http.port to a free one`,
    );
  });
});
