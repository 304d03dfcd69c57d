/**
 * On a core the dashboard is served by the validator, and its anomaly page reads the inference
 * runtime's API through the validator (one origin). The runtime here is a plain HTTP server that
 * answers as the runtime's API does; the device suite relays the real one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@uns-mlops/test-services';
import { startHttpServer, type RunningHttpServer } from '../../src/service/http-server';

const handlers = {
  component: 'uns-validator',
  health: () => ({ ok: true, checks: {} }),
  readiness: () => ({ ok: true, checks: {} }),
  metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
  api: {},
};

describe('the anomaly API relayed for the dashboard', () => {
  let runtime: Server;
  let validator: RunningHttpServer;
  let unreachable: RunningHttpServer;
  let unconfigured: RunningHttpServer;

  beforeAll(async () => {
    runtime = createServer((request, response) => {
      response.writeHead(request.url?.startsWith('/api/v1/anomalies/') ? 200 : 404, {
        'content-type': 'application/json',
      });
      response.end(JSON.stringify({ url: request.url }));
    });
    await new Promise<void>((resolve) => runtime.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(runtime.address() as AddressInfo).port}`;
    const local = { host: '127.0.0.1', port: 0 };
    validator = await startHttpServer({ ...local, anomalyApi: base }, handlers);
    unreachable = await startHttpServer(
      { ...local, anomalyApi: `http://127.0.0.1:${await freePort()}` },
      handlers,
    );
    unconfigured = await startHttpServer(local, handlers);
  });

  afterAll(async () => {
    await Promise.all([validator.close(), unreachable.close(), unconfigured.close()]);
    await new Promise((resolve) => runtime.close(resolve));
  });

  const get = (server: RunningHttpServer, path: string) =>
    fetch(`http://127.0.0.1:${server.port}${path}`);

  it('passes anomaly API requests with their query to the runtime and its answers back', async () => {
    const answer = await get(validator, '/api/v1/anomalies/scores?since=2026-01-01T00:00:00Z');

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(await answer.json()).toEqual({
      url: '/api/v1/anomalies/scores?since=2026-01-01T00%3A00%3A00Z',
    });
  });

  it('relays nothing outside the anomaly API', async () => {
    expect((await get(validator, '/api/v1/other')).status).toBe(404);
  });

  it('answers 502 naming the runtime when it does not answer', async () => {
    const answer = await get(unreachable, '/api/v1/anomalies/status');

    expect(answer.status).toBe(502);
    expect(((await answer.json()) as { error: string }).error).toMatch(
      /^anomaly inference unreachable at http:\/\/127\.0\.0\.1:\d+: /,
    );
  });

  it('relays nothing when no runtime is configured', async () => {
    expect((await get(unconfigured, '/api/v1/anomalies/status')).status).toBe(404);
  });
});
