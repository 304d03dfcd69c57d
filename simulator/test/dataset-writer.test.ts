import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { DATASET_COLUMNS, writeDataset } from '../src/dataset-writer';
import { defaultCells } from '../src/simulator';

describe('writeDataset', () => {
  let outDir: string;
  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'welding-dataset-'));
  });
  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('writes the long-form telemetry table as Hive-partitioned Parquet and CSV', () => {
    const result = writeDataset({
      outDir,
      // starts 1 s before midnight UTC: two dt partitions
      simulatorOptions: {
        seed: 3,
        cells: defaultCells(2),
        defectRate: 1,
        start: '2025-11-25T23:59:59Z',
      },
      durationMs: 2000,
      formats: ['parquet', 'csv'],
    });
    const expectedRows = 2 * 6 * 2000;
    expect(result.rows).toBe(expectedRows);
    expect(Object.values(result.rowsByLabel).reduce((a, b) => a + b, 0)).toBe(expectedRows);
    expect(result.rowsByLabel.normal).toBeGreaterThan(0);

    const dayOne = join(outDir, 'site=zwickau', 'dt=2025-11-25');
    const dayTwo = join(outDir, 'site=zwickau', 'dt=2025-11-26');
    expect(result.files.map((f) => f.path).sort()).toEqual(
      [
        join(dayOne, 'part-0000.csv'),
        join(dayOne, 'part-0000.parquet'),
        join(dayTwo, 'part-0000.csv'),
        join(dayTwo, 'part-0000.parquet'),
      ].sort(),
    );
    expect(result.files.filter((f) => f.dt === '2025-11-25').every((f) => f.rows === 12_000)).toBe(
      true,
    );

    const table = tableFromIPC(
      readParquet(readFileSync(join(dayOne, 'part-0000.parquet'))).intoIPCStream(),
    );
    expect(table.schema.fields.map((f) => f.name)).toEqual([...DATASET_COLUMNS]);
    expect(table.numRows).toBe(12_000);
    expect(String(table.schema.fields.find((f) => f.name === 'sample_time')?.type)).toMatch(
      /Timestamp/,
    );
    const row = table.get(0)?.toJSON();
    expect(row).toMatchObject({
      enterprise: 'acme',
      site: 'zwickau',
      area: 'body-shop',
      line: 'body-weld-1',
      cell: 'cell-010',
      asset: 'welder-1',
      channel: 'arc_current',
      unit: 'A',
      quality: 'good',
    });
    expect(Number(row?.sample_time)).toBe(Date.parse('2025-11-25T23:59:59Z'));
    expect(typeof row?.value).toBe('number');
    expect([
      'normal',
      'gas_loss',
      'burn_through',
      'lack_of_fusion',
      'wire_stubbing',
      'arc_instability',
    ]).toContain(row?.label);

    const csv = readFileSync(join(dayTwo, 'part-0000.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe(DATASET_COLUMNS.join(','));
    expect(csv).toHaveLength(1 + 12_000);
    expect(csv[1]).toMatch(
      /^acme,zwickau,body-shop,body-weld-1,cell-010,welder-1,arc_current,A,2025-11-26T00:00:00.000Z,[0-9.]+,good,\w+$/,
    );
  });

  it('writes only the requested formats', () => {
    const dir = join(outDir, 'csv-only');
    const result = writeDataset({
      outDir: dir,
      simulatorOptions: { seed: 1, cells: defaultCells(1), start: '2025-11-25T08:00:00Z' },
      durationMs: 500,
      formats: ['csv'],
    });
    expect(result.files).toHaveLength(1);
    expect(result.rows).toBe(6 * 500);
    expect(existsSync(join(dir, 'site=zwickau', 'dt=2025-11-25', 'part-0000.parquet'))).toBe(false);
  });
});
