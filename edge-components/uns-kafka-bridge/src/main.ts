#!/usr/bin/env node
/** The `uns-kafka-bridge` command: forwards UNS messages to Kafka until SIGTERM or SIGINT. */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ENVIRONMENT_VARIABLES, loadConfig } from './config/config';
import { ConfigError } from './config/layers';
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
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'stopping');
      process.once(signal, () => process.exit(130));
      service.stop().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        resolve();
      });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof ConfigError ? error.message : `uns-kafka-bridge: ${String(error)}`}\n`,
    );
    process.exitCode = 2;
  },
);
