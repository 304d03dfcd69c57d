#!/usr/bin/env node
/** The `anomaly-inference` command: scores UNS telemetry with the model bundle until stopped. */
import { parseArgs } from 'node:util';
import { runMain, serveUntilStopped, settingsCheck } from '@uns-mlops/edge-common';
import pino from 'pino';
import { ENVIRONMENT_VARIABLES, loadConfig } from './service/config';
import { InferenceService } from './service/inference-service';

const HELP = `anomaly-inference: scores UNS telemetry windows with an ONNX model bundle

Usage:
  anomaly-inference [serve] [--config <file>]
      Subscribes to the telemetry of the model's channels, scores windows, publishes scores,
      anomaly events, drift statistics and the model status, swaps in new bundles without
      downtime, and serves /health, /ready, /metrics and /api/v1/anomalies/* over HTTP.
      Configuration: defaults < --config file (YAML or JSON) < environment variables:
${Object.entries(ENVIRONMENT_VARIABLES)
  .map(([name, meaning]) => `        ${name.padEnd(36)} ${meaning}`)
  .join('\n')}

  anomaly-inference --help
`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const args = argv[0] === 'serve' ? argv.slice(1) : argv;
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
  const config = loadConfig({ file: values.config, env: process.env });
  const logger = pino({ level: config.logLevel, base: { component: 'anomaly-inference' } });
  const service = await InferenceService.start(config, logger);
  logger.info(
    { http: `http://${config.http.host}:${service.httpPort}`, model: config.model.dir },
    'anomaly-inference running',
  );
  await serveUntilStopped(
    service,
    logger,
    settingsCheck('ANOMALY_INFERENCE_CONFIG_JSON', (env) =>
      loadConfig({ file: values.config, env }),
    ),
  );
  return 0;
}

runMain(main);
