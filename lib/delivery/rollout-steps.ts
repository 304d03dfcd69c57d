import type { EnvironmentConfig } from '../config/environment';
import { DEFAULT_BROKER_URL } from './plant-merges';

/** A thing group that one Greengrass deployment targets. */
export interface RolloutTarget {
  /** `canary`, or the plant's site id. */
  readonly name: string;
  /** The AWS IoT thing group of the target's core devices. */
  readonly thingGroup: string;
  /** The site whose configuration the devices get and whose KPIs judge them. */
  readonly siteId: string;
  /** The site's UNS broker as the devices reach it. */
  readonly brokerUrl: string;
}

/** One step of a rollout: its targets get the new versions together, then one gate judges them. */
export interface RolloutStep {
  /** `canary`, `wave-1`, `wave-2`, ... */
  readonly name: string;
  readonly targets: readonly RolloutTarget[];
}

/** The rollout of an environment in order: the canary group, then the plants' waves. */
export function rolloutSteps(config: EnvironmentConfig): RolloutStep[] {
  const plantTarget = (siteId: string): RolloutTarget => {
    const plant = config.plants.find((candidate) => candidate.siteId === siteId);
    if (plant === undefined)
      throw new Error(`${config.name}: rollout names unknown site ${siteId}`);
    return {
      name: siteId,
      thingGroup: plant.greengrassThingGroup,
      siteId,
      brokerUrl: plant.brokerUrl ?? DEFAULT_BROKER_URL,
    };
  };
  const { canary, waves } = config.edgeRollout;
  return [
    {
      name: 'canary',
      targets: [{ ...plantTarget(canary.siteId), name: 'canary', thingGroup: canary.thingGroup }],
    },
    ...waves.map((sites, index) => ({
      name: `wave-${index + 1}`,
      targets: sites.map(plantTarget),
    })),
  ];
}
