import { connect } from 'node:net';
import {
  BadRequestError,
  type FailedRequest,
  httpErrorLogger,
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

  it('passes the query string and answers 400 with the message for bad requests', async () => {
    expect(await get(server, '/echo?q=x')).toEqual([200, '{"q":"x"}']);
    expect(await get(server, '/bad')).toEqual([400, '{"error":"q is missing"}']);
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

describe('startHttpServer on failures', () => {
  let server: RunningHttpServer;
  const failures: { error: unknown; request: FailedRequest | undefined }[] = [];

  beforeAll(async () => {
    server = await startHttpServer(
      {
        ...LOCAL,
        onError: (error, request) => {
          failures.push({ error, request });
          if (request?.path === '/listener-fails') throw new Error('the listener fails too');
        },
      },
      {
        '/broken': () => Promise.reject(new Error('relation "violation_samples" does not exist')),
        '/throws': () => {
          throw new TypeError('Cannot read properties of undefined');
        },
        '/unsendable': () => ({
          status: 200,
          contentType: 'text/plain',
          body: 'x',
          headers: { 'x-echo': 'line\nbreak' },
        }),
        '/listener-fails': () => Promise.reject(new Error('first failure')),
        '/ok': () => jsonReply({ ok: true }),
      },
    );
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    failures.length = 0;
  });

  async function answer(path: string) {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return {
      status: response.status,
      requestId: response.headers.get('x-request-id'),
      body: await response.json(),
    };
  }

  it('answers a failing route with a generic 500 and its request id, and tells onError the real error', async () => {
    const broken = await answer('/broken?site=x');

    expect(broken).toEqual({
      status: 500,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      body: { error: 'internal error', requestId: broken.requestId },
    });
    expect(failures).toEqual([
      {
        error: new Error('relation "violation_samples" does not exist'),
        request: { requestId: broken.requestId, method: 'GET', path: '/broken' },
      },
    ]);
  });

  it('answers a route that throws, or whose reply cannot be sent, the same way', async () => {
    const throws = await answer('/throws');
    const unsendable = await answer('/unsendable');

    expect([throws.status, throws.body]).toEqual([
      500,
      { error: 'internal error', requestId: throws.requestId },
    ]);
    expect([unsendable.status, unsendable.body]).toEqual([
      500,
      { error: 'internal error', requestId: unsendable.requestId },
    ]);
    expect(failures.map(({ error, request }) => [(error as Error).name, request?.path])).toEqual([
      ['TypeError', '/throws'],
      ['TypeError', '/unsendable'],
    ]);
  });

  it('answers even when onError fails', async () => {
    expect((await answer('/listener-fails')).status).toBe(500);
    expect((await answer('/ok')).status).toBe(200);
  });

  it('gives every answer an x-request-id of its own', async () => {
    const ids = [
      (await answer('/ok')).requestId,
      (await answer('/ok')).requestId,
      (await answer('/nothing')).requestId,
    ];

    expect(new Set(ids).size).toBe(3);
    expect(ids.every((id) => id !== null && /^[0-9a-f-]{36}$/.test(id))).toBe(true);
  });
});

describe('httpErrorLogger', () => {
  it('logs a failed request at error level with its request id, method and path', () => {
    const lines: [object, string][] = [];
    const listener = httpErrorLogger({
      error: (details, message) => lines.push([details, message]),
    });
    const error = new Error('connection refused');

    listener(error, { requestId: 'id-1', method: 'GET', path: '/api' });
    listener(error, undefined);

    expect(lines).toEqual([
      [{ err: error, requestId: 'id-1', method: 'GET', path: '/api' }, 'HTTP request failed'],
      [{ err: error }, 'HTTP server failed'],
    ]);
  });
});

describe('startHttpServer timeouts', () => {
  let server: RunningHttpServer;

  beforeAll(async () => {
    server = await startHttpServer(
      { ...LOCAL, headersTimeoutMs: 300, requestTimeoutMs: 300 },
      { '/ok': () => jsonReply({ ok: true }) },
    );
  });

  afterAll(async () => {
    await server.close();
  });

  /** Writes `bytes` without ending the connection; resolves with all the server sent until it closed. */
  function holdOpen(bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.write(bytes));
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
      });
      socket.on('error', reject);
      socket.on('close', () => {
        resolve(received);
      });
    });
  }

  it('answers a head that does not arrive in time (slow loris) with 408 and closes the connection', async () => {
    const answer = await holdOpen('GET /ok HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');

    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(answer).toMatch(/\r\n\r\n\{"error":"the request did not arrive in time"\}$/);
  });

  it('answers a connection that sends nothing with 408 and closes it', async () => {
    expect(await holdOpen('')).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('answers a GET whose body does not arrive in time, then says 408 and closes the connection', async () => {
    const answer = await holdOpen(
      'GET /ok HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nabc',
    );

    expect(answer).toMatch(
      /^HTTP\/1\.1 200 OK\r\n[^]*\{"ok":true\}HTTP\/1\.1 408 Request Timeout\r\n/,
    );
  });
});
