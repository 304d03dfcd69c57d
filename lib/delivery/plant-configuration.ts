import { Fn, Token } from 'aws-cdk-lib';
import { SERVICES } from './components';

/** What differs between the plants a deployment targets, merged into each component's settings. */
export interface PlantSettings {
  /** Enterprise level of the UNS topics. */
  readonly enterprise: string;
  /** The plant's site id. */
  readonly siteId: string;
  /** The plant's UNS broker as the core devices reach it. */
  readonly brokerUrl: string;
  /** MSK bootstrap brokers for IAM authentication, comma-separated (may be a token). */
  readonly kafkaBootstrapBrokers: string;
}

/** The default broker: one on the core device itself. */
export const DEFAULT_BROKER_URL = 'mqtt://localhost:1883';

const BROKERS_PLACEHOLDER = '"__KAFKA_BOOTSTRAP_BROKERS__"';

/**
 * The `ConfigurationUpdate.Merge` document of each service component for one plant (the keys that
 * edge-components/README.md, "Per-plant configuration", lists), as the JSON strings a Greengrass
 * deployment takes. The broker list may be a token resolved at deployment; it becomes a JSON array.
 */
export function plantConfigurationMerges(plant: PlantSettings): Record<string, string> {
  const { enterprise, siteId, brokerUrl } = plant;
  return {
    [SERVICES.validator.name]: JSON.stringify({
      settings: { broker: { url: brokerUrl }, summaries: { enterprise, site: siteId } },
    }),
    [SERVICES.inference.name]: JSON.stringify({
      settings: { broker: { url: brokerUrl }, uns: { enterprise, site: siteId } },
    }),
    [SERVICES.bridge.name]: withBrokerList(
      JSON.stringify({
        settings: {
          mqtt: { url: brokerUrl },
          kafka: { brokers: JSON.parse(BROKERS_PLACEHOLDER) as string },
          heartbeat: { site: siteId },
        },
      }),
      plant.kafkaBootstrapBrokers,
    ),
  };
}

/** Replaces the placeholder with the brokers as a JSON array of strings. */
function withBrokerList(json: string, brokers: string): string {
  const [before, after] = json.split(BROKERS_PLACEHOLDER) as [string, string];
  if (!Token.isUnresolved(brokers)) {
    return `${before}${JSON.stringify(brokers.split(','))}${after}`;
  }
  return Fn.join('', [before, '["', Fn.join('","', Fn.split(',', brokers)), '"]', after]);
}
