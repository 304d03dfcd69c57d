#!/usr/bin/env node
/** `npm start`: runs the local plant until Ctrl+C. */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { runMain, stopOnSignal } from '@uns-mlops/edge-common';
import { loadPlantConfig, SETTINGS } from './config';
import { LocalPlant } from './local-plant';

const HELP = `uns-mlops local plant: the whole edge loop on one machine

Runs an MQTT broker (in-process unless --broker-url is given), the welding simulator publishing
telemetry per the UNS contract (with malformed messages and defects), the payload validator with
its store, the anomaly inference runtime with a model bundle (trained on first start) and the
dashboard. Ctrl+C stops everything cleanly; the store keeps the history for the next start.

Usage: npm start -- [options]

Options (each also an environment variable; precedence: defaults < --config file <
UNS_PLANT_CONFIG_JSON < environment variables < flags):
  --config <file>                  YAML or JSON file with any part of the configuration
${SETTINGS.map((s) => `  --${`${s.flag} <value>`.padEnd(31)}${s.meaning}\n${' '.repeat(35)}(${s.variable})`).join('\n')}
  -h, --help                       show this help
`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: 'string' as const }])),
    },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const settingFlags = values as Record<string, string | boolean | undefined>;
  const flags = Object.fromEntries(
    SETTINGS.map(({ flag }) => [flag, settingFlags[flag] as string | undefined]),
  );
  // npm runs workspace scripts in the workspace: relative paths mean the caller's directory.
  const config = loadPlantConfig(
    { file: values.config, env: process.env, flags },
    process.env.INIT_CWD ?? process.cwd(),
  );
  const logger = pino({
    level: config.logLevel,
    base: { component: 'local-plant' },
    // Readable lines for a person at a terminal; pino's JSON lines when the output is a file.
    transport: process.stdout.isTTY
      ? {
          target: 'pino-pretty',
          options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname', singleLine: true },
        }
      : undefined,
  });
  const plant = await LocalPlant.start(config, logger);
  const { addresses } = plant;
  process.stdout.write(
    [
      '',
      'uns-mlops local plant is running',
      `  dashboard        ${addresses.dashboard}`,
      `  MQTT broker      ${addresses.broker}   (subscribe: mosquitto_sub -L '${addresses.broker}/#' -v)`,
      `  validator        ${addresses.validator}/metrics`,
      `  inference        ${addresses.inference}/metrics`,
      `  model bundle     ${addresses.modelBundle}`,
      `  data directory   ${config.dataDir}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  let summary = { published: 0, malformedTotal: 0 };
  await stopOnSignal(
    {
      stop: async () => {
        summary = await plant.stop();
      },
    },
    logger,
  );
  logger.info(
    { published: summary.published, malformed: summary.malformedTotal },
    'plant stopped; the store is flushed',
  );
  return 0;
}

runMain(main);
