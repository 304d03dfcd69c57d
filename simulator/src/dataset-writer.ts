import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Float64,
  Table,
  TimestampMillisecond,
  Utf8,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import {
  Compression,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from 'parquet-wasm';
import { WeldingCellSimulator, type CellAddress, type SimulatorOptions } from './simulator';

/** Output formats of {@link writeDataset}. */
export type DatasetFormat = 'parquet' | 'csv';

/** Options of {@link writeDataset}. */
export interface DatasetOptions {
  /** Root directory; partitions go below it as `site=<site>/dt=<yyyy-MM-dd>/`. */
  readonly outDir: string;
  readonly simulatorOptions: SimulatorOptions;
  /** Simulated duration in ms. */
  readonly durationMs: number;
  /** Formats to write (default both). */
  readonly formats?: readonly DatasetFormat[];
}

/** One written partition file. */
export interface DatasetFile {
  readonly path: string;
  readonly format: DatasetFormat;
  readonly site: string;
  readonly dt: string;
  readonly rows: number;
}

/** What {@link writeDataset} wrote. */
export interface DatasetResult {
  readonly files: DatasetFile[];
  /** Total rows (per format). */
  readonly rows: number;
  /** Rows per label (`normal` or defect class). */
  readonly rowsByLabel: Record<string, number>;
}

/** Columns of the telemetry table, in order (the Lakehouse long form, one row per sample). */
export const DATASET_COLUMNS = [
  'enterprise',
  'site',
  'area',
  'line',
  'cell',
  'asset',
  'channel',
  'unit',
  'sample_time',
  'value',
  'quality',
  'label',
] as const;

type StringColumn = Exclude<(typeof DATASET_COLUMNS)[number], 'sample_time' | 'value'>;

interface Partition {
  readonly site: string;
  readonly dt: string;
  readonly strings: Record<StringColumn, string[]>;
  readonly time: number[];
  readonly value: number[];
}

function newPartition(site: string, dt: string): Partition {
  const names = DATASET_COLUMNS.filter(
    (column): column is StringColumn => column !== 'sample_time' && column !== 'value',
  );
  return {
    site,
    dt,
    strings: Object.fromEntries(names.map((n) => [n, [] as string[]])) as Record<
      StringColumn,
      string[]
    >,
    time: [],
    value: [],
  };
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function toParquet(p: Partition): Uint8Array {
  const s = p.strings;
  const utf8 = (values: string[]) => vectorFromArray(values, new Utf8());
  const table = new Table({
    enterprise: utf8(s.enterprise),
    site: utf8(s.site),
    area: utf8(s.area),
    line: utf8(s.line),
    cell: utf8(s.cell),
    asset: utf8(s.asset),
    channel: utf8(s.channel),
    unit: utf8(s.unit),
    sample_time: vectorFromArray(p.time, new TimestampMillisecond()),
    value: vectorFromArray(p.value, new Float64()),
    quality: utf8(s.quality),
    label: utf8(s.label),
  });
  const wasmTable = WasmTable.fromIPCStream(tableToIPC(table, 'stream'));
  const props = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
  return writeParquet(wasmTable, props);
}

function toCsv(p: Partition): string {
  const lines: string[] = [DATASET_COLUMNS.join(',')];
  const s = p.strings;
  for (let i = 0; i < p.time.length; i++) {
    const row = [
      s.enterprise[i] ?? '',
      s.site[i] ?? '',
      s.area[i] ?? '',
      s.line[i] ?? '',
      s.cell[i] ?? '',
      s.asset[i] ?? '',
      s.channel[i] ?? '',
      s.unit[i] ?? '',
      new Date(p.time[i] ?? 0).toISOString(),
      String(p.value[i] ?? ''),
      s.quality[i] ?? '',
      s.label[i] ?? '',
    ];
    lines.push(row.map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

/** One row of the telemetry table: a sample of one channel of one asset, with its label. */
export interface TelemetryRow {
  readonly address: CellAddress;
  readonly channel: string;
  readonly unit: string;
  /** Sample time, ms since the epoch. */
  readonly timeMs: number;
  readonly value: number;
  readonly quality: string;
  /** `normal`, a defect class, or another label such as `uninspected`. */
  readonly label: string;
}

/**
 * Collects rows of the telemetry table and writes them laid out like the Lakehouse: long form (one
 * row per sample per channel) with the columns {@link DATASET_COLUMNS}, partitioned Hive-style as
 * `site=<site>/dt=<yyyy-MM-dd>/part-0000.parquet` (Snappy) and/or `part-0000.csv` (with a header;
 * `sample_time` as ISO 8601 UTC).
 */
export class TelemetryTableWriter {
  private readonly partitions = new Map<string, Partition>();
  /** Rows per label. */
  readonly rowsByLabel: Record<string, number> = {};
  /** Rows added so far. */
  rows = 0;

  /** Adds one row. */
  add(row: TelemetryRow): void {
    const { address } = row;
    const dt = new Date(row.timeMs).toISOString().slice(0, 10);
    const key = `${address.site}\u0000${dt}`;
    let partition = this.partitions.get(key);
    if (partition === undefined) {
      partition = newPartition(address.site, dt);
      this.partitions.set(key, partition);
    }
    const s = partition.strings;
    s.enterprise.push(address.enterprise);
    s.site.push(address.site);
    s.area.push(address.area);
    s.line.push(address.line);
    s.cell.push(address.cell);
    s.asset.push(address.asset);
    s.channel.push(row.channel);
    s.unit.push(row.unit);
    s.quality.push(row.quality);
    s.label.push(row.label);
    partition.time.push(row.timeMs);
    partition.value.push(row.value);
    this.rowsByLabel[row.label] = (this.rowsByLabel[row.label] ?? 0) + 1;
    this.rows += 1;
  }

  /** Writes every partition below `outDir` in each of `formats`. */
  write(outDir: string, formats: readonly DatasetFormat[]): DatasetFile[] {
    const files: DatasetFile[] = [];
    for (const p of this.partitions.values()) {
      const dir = join(outDir, `site=${p.site}`, `dt=${p.dt}`);
      mkdirSync(dir, { recursive: true });
      for (const format of formats) {
        const path = join(dir, `part-0000.${format}`);
        writeFileSync(path, format === 'parquet' ? toParquet(p) : toCsv(p));
        files.push({ path, format, site: p.site, dt: p.dt, rows: p.time.length });
      }
    }
    return files;
  }
}

/**
 * Runs the simulator for `durationMs` and writes its labelled telemetry with a
 * {@link TelemetryTableWriter}; each sample is labelled with the defect active at it.
 */
export function writeDataset(options: DatasetOptions): DatasetResult {
  const simulator = new WeldingCellSimulator(options.simulatorOptions);
  const blockMs = simulator.samplesPerBlock * simulator.dtMs;
  const steps = Math.max(1, Math.ceil(options.durationMs / blockMs));
  const writer = new TelemetryTableWriter();
  for (let step = 0; step < steps; step++) {
    for (const block of simulator.next()) {
      const { address, payload } = block;
      payload.values.forEach((value, i) => {
        writer.add({
          address,
          channel: block.signal,
          unit: payload.unit,
          timeMs: block.t0Ms + i * payload.dtMs,
          value,
          quality: payload.quality,
          label: block.labels[i] ?? 'normal',
        });
      });
    }
  }
  const files = writer.write(options.outDir, options.formats ?? ['parquet', 'csv']);
  return { files, rows: writer.rows, rowsByLabel: writer.rowsByLabel };
}
