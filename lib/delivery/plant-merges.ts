import { SERVICES } from './components';

/**
 * What each service component of a plant gets merged into its configuration, without the CDK: the
 * edge deployment stacks (through `plantConfigurationMerges`, which also takes the brokers as a
 * token) and `uns-mlops plant-config` (with the brokers read from MSK) write the same documents.
 */

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

/**
 * Writes the bridge's merge document around its broker list: `before` and `after` are the JSON on
 * either side of the list, `brokers` the comma-separated bootstrap brokers.
 */
export type BrokerListWriter = (before: string, brokers: string, after: string) => string;

/** The brokers as a JSON array of strings, for a broker list known now. */
export const writeBrokerList: BrokerListWriter = (before, brokers, after) =>
  `${before}${JSON.stringify(brokers.split(','))}${after}`;

const BROKERS_PLACEHOLDER = '"__KAFKA_BOOTSTRAP_BROKERS__"';

/**
 * The `ConfigurationUpdate.Merge` document of each service component for one plant (the keys that
 * edge-components/README.md, "Per-plant configuration", lists), as the JSON strings a Greengrass
 * deployment takes, by component name.
 *
 * @param writeBrokers puts the broker list into the bridge's document (a deployment stack passes
 *   one that also takes a token resolved at deployment).
 */
export function plantMerges(
  plant: PlantSettings,
  writeBrokers: BrokerListWriter = writeBrokerList,
): Record<string, string> {
  const { enterprise, siteId, brokerUrl } = plant;
  const [before, after] = JSON.stringify({
    settings: {
      mqtt: { url: brokerUrl },
      kafka: { brokers: JSON.parse(BROKERS_PLACEHOLDER) as string },
      heartbeat: { site: siteId },
    },
  }).split(BROKERS_PLACEHOLDER) as [string, string];
  return {
    [SERVICES.validator.name]: JSON.stringify({
      settings: { broker: { url: brokerUrl }, summaries: { enterprise, site: siteId } },
    }),
    [SERVICES.inference.name]: JSON.stringify({
      settings: { broker: { url: brokerUrl }, uns: { enterprise, site: siteId } },
    }),
    [SERVICES.bridge.name]: writeBrokers(before, plant.kafkaBootstrapBrokers, after),
  };
}
