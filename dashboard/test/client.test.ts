import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient, ApiRequestError } from '../src/api/client';
import type { ModelLoopReport } from '../src/api/types';
import { DEFAULT_CONFIG } from '../src/config';

const REPORT: ModelLoopReport = {
  loop: { phase: 'watching', serving: 'v1' },
  history: [
    { at: '2030-01-01T08:00:00.000Z', event: 'serving', modelVersion: 'v1', reason: 'first' },
  ],
};

/** What the stand-in for the anomaly API's origin answers next, whatever the path. */
let answer: { status: number; body: unknown };
let server: Server;
let client: ApiClient;
const asked: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new ApiClient({ ...DEFAULT_CONFIG, anomalyApiBase: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('the model loop of the local plant', () => {
  it('is read from the anomaly API origin', async () => {
    answer = { status: 200, body: REPORT };
    await expect(client.modelLoop()).resolves.toEqual(REPORT);
    expect(asked.at(-1)).toBe('/api/v1/models');
  });

  it('is null where that server has none (HTTP 404), not an error', async () => {
    answer = { status: 404, body: { error: 'no such endpoint: /api/v1/models' } };
    await expect(client.modelLoop()).resolves.toBeNull();
  });

  it('fails on any other answer, with its status', async () => {
    answer = { status: 500, body: { error: 'internal error', requestId: 'r-1' } };
    await expect(client.modelLoop()).rejects.toEqual(
      expect.objectContaining({ name: 'ApiRequestError', status: 500 }),
    );
    await expect(client.modelLoop()).rejects.toBeInstanceOf(ApiRequestError);
  });

  it('is not asked for where there is no anomaly API', async () => {
    const cloud = new ApiClient({ ...DEFAULT_CONFIG, anomalyApiBase: null });
    const before = asked.length;
    await expect(cloud.modelLoop()).rejects.toThrow('there is no anomaly API here');
    expect(asked).toHaveLength(before);
  });
});

describe('the drift of the serving model', () => {
  it('is asked for every asset, or one', async () => {
    answer = {
      status: 200,
      body: { available: false, reason: 'drift.enabled is false', items: [] },
    };
    await expect(client.anomalyDrift({})).resolves.toEqual(answer.body);
    expect(asked.at(-1)).toBe('/api/v1/anomalies/drift');
    await client.anomalyDrift({ asset: 'acme/zwickau/body/line-1/cell-1/robot' });
    expect(asked.at(-1)).toBe(
      '/api/v1/anomalies/drift?asset=acme%2Fzwickau%2Fbody%2Fline-1%2Fcell-1%2Frobot',
    );
  });
});
