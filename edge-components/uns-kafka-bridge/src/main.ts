#!/usr/bin/env node
/** The `uns-kafka-bridge` command: forwards UNS messages to Kafka until SIGTERM or SIGINT. */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ENVIRONMENT_VARIABLES, loadConfig } from './config/config';
import { runMain, serveUntilStopped, settingsCheck } from '@uns-mlops/edge-common';
import { BridgeService } from './service/bridge-service';

const HELP = `uns-kafka-bridge: forwards every UNS message to Kafka (Amazon MSK), with store-and-forward

Usage:
  uns-kafka-bridge [--config <file>]
      Subscribes to the UNS broker (QoS 1, persistent session), produces every message to Kafka,
      spools to disk while Kafka is unreachable, and serves /health, /ready and /metrics.
      Configuration: defaults < --config file (YAML or JSON) < environment variables:
${Object.entries(ENVIRONMENT_VARIABLES)
  .map(([name, meaning]) => `        ${name.padEnd(28)} ${meaning}`)
  .join('\n')}

  uns-kafka-bridge --help
`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig({ file: values.config, env: process.env });
  const logger = pino({ level: config.logLevel, base: { component: 'uns-kafka-bridge' } });
  const service = await BridgeService.start(config, logger);
  logger.info(
    { http: `http://${config.http.host}:${service.httpPort}`, brokers: config.kafka.brokers },
    'uns-kafka-bridge running',
  );
  await serveUntilStopped(
    service,
    logger,
    settingsCheck('UNS_BRIDGE_CONFIG_JSON', (env) => loadConfig({ file: values.config, env })),
  );
  return 0;
}

runMain(main);
