import { Fn, Token } from 'aws-cdk-lib';
import { type PlantSettings, plantMerges, writeBrokerList } from './plant-merges';

/**
 * The `ConfigurationUpdate.Merge` document of each service component for one plant (see
 * {@link plantMerges}), as the JSON strings a Greengrass deployment takes. The broker list may be
 * a token resolved at deployment; it becomes a JSON array.
 */
export function plantConfigurationMerges(plant: PlantSettings): Record<string, string> {
  return plantMerges(plant, (before, brokers, after) =>
    Token.isUnresolved(brokers)
      ? Fn.join('', [before, '["', Fn.join('","', Fn.split(',', brokers)), '"]', after])
      : writeBrokerList(before, brokers, after),
  );
}
