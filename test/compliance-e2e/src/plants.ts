/**
 * Plants on one machine: each site's validator as a process of its own (embedded store, its
 * summaries every second), and one bridge forwarding what the validators publish about
 * compliance (`+/+/_validation/#`) to Kafka, as a plant's Greengrass core runs them.
 */
import { join } from 'node:path';
import { type ComponentProcess, runComponentFromSource } from '@uns-mlops/test-services';

const CONTRACTS = join(__dirname, '..', '..', '..', 'asyncapi');
export const CONTRACT = join(CONTRACTS, 'uns-welding.asyncapi.yaml');
export const ENTERPRISE = 'acme';
/** How often the validators publish their summaries (the shortest they allow). */
export const SUMMARY_INTERVAL_MS = 1000;

/** The validator of one site, judging that site's topics with the repository's contracts. */
export function startSiteValidator(options: {
  readonly site: string;
  readonly brokerUrl: string;
  readonly workDir: string;
}): Promise<ComponentProcess> {
  return runComponentFromSource({
    component: 'uns-validator',
    config: {
      broker: {
        url: options.brokerUrl,
        clientId: `validator-${options.site}`,
        topics: [`${ENTERPRISE}/${options.site}/+/+/+/+/#`],
        qos: 1,
      },
      contracts: { paths: [CONTRACTS] },
      store: { dataDir: join(options.workDir, `validator-${options.site}`) },
      summaries: { intervalMs: SUMMARY_INTERVAL_MS, enterprise: ENTERPRISE, site: options.site },
      http: { host: '127.0.0.1', port: 0 },
      logLevel: 'info',
    },
  });
}

/** The bridge carrying the validators' compliance messages to Kafka. */
export function startComplianceBridge(options: {
  readonly brokerUrl: string;
  readonly kafkaBootstrap: string;
  readonly workDir: string;
}): Promise<ComponentProcess> {
  return runComponentFromSource({
    component: 'uns-kafka-bridge',
    config: {
      mqtt: {
        url: options.brokerUrl,
        clientId: 'e2e-bridge',
        topics: [`${ENTERPRISE}/+/_validation/#`],
      },
      kafka: { brokers: [options.kafkaBootstrap], clientId: 'e2e-bridge' },
      contract: CONTRACT,
      spool: { dir: join(options.workDir, 'bridge-spool') },
      heartbeat: { topic: 'uns.heartbeat', intervalMs: 10_000 },
      http: { host: '127.0.0.1', port: 0 },
      logLevel: 'info',
    },
  });
}
