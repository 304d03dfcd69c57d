import { text, type JsonObject } from './payload';
import { ASSET_LEVELS } from './uns-message';

/**
 * Which message of the inference runtime a UNS topic carries (`uns.ml`, addresses of
 * `asyncapi/uns-welding.asyncapi.yaml`):
 *
 * - `score`: `{enterprise}/{site}/{area}/{line}/{cell}/{asset}/_ml/{model}` (channel `anomaly`)
 * - `shadow-score`: `…/{asset}/_ml/{model}/shadow` (`anomalyShadow`)
 * - `event`: `…/{asset}/_ml/{model}/events` (`anomalyEvent`)
 * - `drift`: `…/{asset}/_ml/{model}/drift` (`anomalyDrift`)
 * - `status`: `{enterprise}/{site}/_ml/{model}/status` (`modelStatus`)
 */
export type MlMessageKind = 'score' | 'shadow-score' | 'event' | 'drift' | 'status';

const ML_LEVEL = '_ml';
/** The last level of the asset topics one level below `…/{asset}/_ml/{model}`. */
const BELOW_MODEL: Readonly<Record<string, MlMessageKind | undefined>> = {
  shadow: 'shadow-score',
  events: 'event',
  drift: 'drift',
};

/** The kind of an inference runtime topic, from its levels; undefined for any other topic. */
export function mlMessageKind(levels: readonly string[]): MlMessageKind | undefined {
  if (levels.length === 5) {
    return levels[2] === ML_LEVEL && levels[4] === 'status' ? 'status' : undefined;
  }
  if (levels[ASSET_LEVELS] !== ML_LEVEL) return undefined;
  if (levels.length === ASSET_LEVELS + 2) return 'score';
  const leaf = levels.length === ASSET_LEVELS + 3 ? levels[ASSET_LEVELS + 2] : undefined;
  return leaf === undefined ? undefined : BELOW_MODEL[leaf];
}

/** The model columns of the tables, from `modelName` and `modelVersion` of a payload. */
export interface ModelColumns {
  readonly model_name: string;
  readonly model_version: string;
}

/** The model a score, an event or drift statistics came from. */
export function modelColumns(payload: JsonObject): ModelColumns {
  return {
    model_name: text(payload.modelName, 'modelName'),
    model_version: text(payload.modelVersion, 'modelVersion'),
  };
}
