#!/usr/bin/env node
/**
 * The `uns-validator` command: `serve` runs the validator against a broker; `validate` judges
 * recorded messages offline.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { validateRecorded } from './cli/validate-offline';
import { runMain, serveUntilStopped, settingsCheck } from '@uns-mlops/edge-common';
import { ENVIRONMENT_VARIABLES, loadConfig } from './service/config';
import { ValidatorService } from './service/validator-service';
import { SparkplugSessionTracker } from './sparkplug';

const HELP = `uns-validator: validates UNS messages against AsyncAPI contracts (JSON and Sparkplug B)

Usage:
  uns-validator [serve] [--config <file>]
      Subscribes to the broker, validates every message, stores the verdicts, publishes
      compliance summaries and serves /health, /ready, /metrics and /api/* over HTTP.
      Configuration: defaults < --config file (YAML or JSON) < environment variables:
${Object.entries(ENVIRONMENT_VARIABLES)
  .map(([name, meaning]) => `        ${name.padEnd(32)} ${meaning}`)
  .join('\n')}

  uns-validator validate --spec <asyncapi file or dir> [--spec ...] --input <file.jsonl> [--strict]
      Validates recorded messages offline. Each input line is {"topic": "...", "payload": <JSON>}
      or {"topic": "...", "payloadBase64": "..."}. Writes one JSON verdict per line to stdout and
      exits 1 if any message is invalid (2 on a usage or contract error). Examples in a contract
      that contradict its schemas are warnings on stderr; --strict refuses such a contract.

  uns-validator --help
`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : 'serve';
  const rest = command === argv[0] ? argv.slice(1) : argv;
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (command === 'validate') return validate(rest);
  if (command === 'serve') return serve(rest);
  process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
  return 2;
}

async function validate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      spec: { type: 'string', multiple: true },
      input: { type: 'string' },
      strict: { type: 'boolean', default: false },
    },
  });
  if (values.spec === undefined || values.input === undefined) {
    process.stderr.write(`validate needs --spec and --input\n\n${HELP}`);
    return 2;
  }
  const tracker = new SparkplugSessionTracker();
  const { invalid } = await validateRecorded({
    specPaths: values.spec,
    inputFile: values.input,
    out: process.stdout,
    sparkplug: (topic, payload) => tracker.check(topic, payload).errors,
    strict: values.strict,
    warnings: process.stderr,
  });
  return invalid > 0 ? 1 : 0;
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
  const config = loadConfig({ file: values.config, env: process.env });
  const logger = pino({ level: config.logLevel, base: { component: 'uns-validator' } });
  const service = await ValidatorService.start(config, logger);
  logger.info(
    { http: `http://${config.http.host}:${service.httpPort}`, contracts: config.contracts.paths },
    'uns-validator running',
  );
  await serveUntilStopped(
    service,
    logger,
    settingsCheck('UNS_VALIDATOR_CONFIG_JSON', (env) => loadConfig({ file: values.config, env })),
  );
  return 0;
}

runMain(main);
