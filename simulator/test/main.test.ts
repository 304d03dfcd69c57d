import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/main';

describe('CLI', () => {
  let log: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    log.mockRestore();
  });

  it('prints the usage with --help', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(String(log.mock.calls[0]?.[0])).toContain('tsx src/main.ts publish');
  });

  it('writes a dataset', async () => {
    const out = mkdtempSync(join(tmpdir(), 'welding-cli-'));
    try {
      const code = await main([
        'dataset',
        '--out',
        out,
        '--seconds',
        '1',
        '--cells',
        '1',
        '--seed',
        '7',
      ]);
      expect(code).toBe(0);
      expect(existsSync(join(out, 'site=zwickau', 'dt=2025-01-01', 'part-0000.parquet'))).toBe(
        true,
      );
      expect(JSON.parse(String(log.mock.calls[0]?.[0])).rows).toBe(6000);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('rejects bad numbers', async () => {
    await expect(main(['dataset', '--out', '/tmp/x', '--seconds', 'abc'])).rejects.toThrow(
      '--seconds',
    );
  });
});
