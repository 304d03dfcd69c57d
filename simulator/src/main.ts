import { parseArgs } from 'node:util';
import { writeDataset } from './dataset-writer';
import type { DriftKind } from './drift';
import { publishLive } from './mqtt-publisher';
import { defaultCells, type SimulatorOptions } from './simulator';

/** Usage text of the CLI. */
export const USAGE = `Usage:
  tsx src/main.ts publish --broker mqtt://host:1883 [--cells 4] [--seconds 10] [--malformed 0.05]
                          [--defect-rate 0.1] [--seed 42] [--fast]
                          [--drift contact-tip-wear|wire-batch [--drift-start 60] [--drift-ramp 120]]
  tsx src/main.ts dataset --out <dir> [--cells 4] [--seconds 60] [--defect-rate 0.1] [--seed 42]
                          [--format parquet,csv]

Options:
  --broker       MQTT broker URL (publish)
  --out          output directory of the dataset (dataset)
  --cells        number of simulated cells (default 4)
  --seconds      simulated duration in seconds (default 10 for publish, 60 for dataset)
  --malformed    share 0..1 of malformed messages (publish, default 0)
  --defect-rate  probability of a defect episode per seam (default 0.1)
  --seed         random seed (default 42)
  --start        ISO time of the first sample (default 2025-01-01T00:00:00Z)
  --fast         publish as fast as possible instead of in real time
  --drift        a process drift from --drift-start seconds on, full after --drift-ramp more:
                 contact-tip-wear (a worn tip) or wire-batch (a new wire batch)
  --drift-start  seconds before the drift begins (default 60)
  --drift-ramp   seconds from its beginning to full strength (default 120)
  --format       comma-separated dataset formats (default parquet,csv)
  -h, --help     show this help`;

function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${value}'`);
  return n;
}

/** Runs the CLI with the given arguments (without `node` and the script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      broker: { type: 'string' },
      out: { type: 'string' },
      cells: { type: 'string' },
      seconds: { type: 'string' },
      malformed: { type: 'string' },
      'defect-rate': { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      fast: { type: 'boolean', default: false },
      drift: { type: 'string' },
      'drift-start': { type: 'string' },
      'drift-ramp': { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 1 : 0;
  }
  const simulatorOptions: SimulatorOptions = {
    seed: numberOption(values.seed, 'seed', 42),
    cells: defaultCells(numberOption(values.cells, 'cells', 4)),
    defectRate: numberOption(values['defect-rate'], 'defect-rate', 0.1),
    start: values.start ?? '2025-01-01T00:00:00Z',
    ...(values.drift === undefined
      ? {}
      : {
          drift: {
            kind: values.drift as DriftKind,
            startSeconds: numberOption(values['drift-start'], 'drift-start', 60),
            rampSeconds: numberOption(values['drift-ramp'], 'drift-ramp', 120),
          },
        }),
  };
  if (command === 'publish') {
    if (values.broker === undefined) throw new Error('publish needs --broker');
    const summary = await publishLive({
      brokerUrl: values.broker,
      simulatorOptions,
      realTime: !values.fast,
      malformedShare: numberOption(values.malformed, 'malformed', 0),
      durationMs: numberOption(values.seconds, 'seconds', 10) * 1000,
    });
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  }
  if (command === 'dataset') {
    if (values.out === undefined) throw new Error('dataset needs --out');
    const formats = (values.format ?? 'parquet,csv').split(',').map((f) => {
      if (f !== 'parquet' && f !== 'csv') throw new Error(`unknown format '${f}'`);
      return f;
    });
    const result = writeDataset({
      outDir: values.out,
      simulatorOptions,
      durationMs: numberOption(values.seconds, 'seconds', 60) * 1000,
      formats,
    });
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  console.error(`unknown command '${command}'\n${USAGE}`);
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
