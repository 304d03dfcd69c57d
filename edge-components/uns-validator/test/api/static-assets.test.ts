import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpServer, type RunningHttpServer } from '../../src/service/http-server';

describe('the dashboard files served beside the API', () => {
  let root: string;
  let server: RunningHttpServer;
  let bare: RunningHttpServer;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dashboard-files-'));
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>UNS</title>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1);');
    writeFileSync(join(dist, 'config.json'), '{}');
    writeFileSync(join(root, 'secret.txt'), 'outside the dashboard directory');
    const handlers = {
      component: 'uns-validator',
      health: () => ({ ok: true, checks: {} }),
      readiness: () => ({ ok: true, checks: {} }),
      metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
      api: { '/api/v1/compliance/facets': () => Promise.resolve({ sites: [], errorKinds: [] }) },
    };
    server = await startHttpServer({ host: '127.0.0.1', port: 0, dashboardDir: dist }, handlers);
    bare = await startHttpServer({ host: '127.0.0.1', port: 0 }, handlers);
  });

  afterAll(async () => {
    await server.close();
    await bare.close();
    rmSync(root, { recursive: true, force: true });
  });

  const get = (path: string, on = server) =>
    fetch(`http://127.0.0.1:${String(on.port)}${path}`, { redirect: 'manual' });

  it('serves index.html at / with its content type, revalidated on every load', async () => {
    const response = await get('/');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await response.text()).toBe('<!doctype html><title>UNS</title>');
  });

  it('lets browsers keep the content-hashed assets for good', async () => {
    const response = await get('/assets/index-abc123.js');

    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('still answers the API and its own 404s under /api/', async () => {
    expect((await get('/api/v1/compliance/facets')).status).toBe(200);
    expect((await get('/api/v1/nothing')).status).toBe(404);
  });

  it.each(['/missing.js', '/assets', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%E0%A4%A'])(
    'answers %s with 404 (missing, a directory, outside the directory, malformed)',
    async (path) => {
      const response = await get(path);

      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('outside the dashboard directory');
    },
  );

  it('serves no files without a configured directory', async () => {
    expect((await get('/', bare)).status).toBe(404);
  });
});
