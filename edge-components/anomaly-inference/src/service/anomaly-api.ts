/**
 * The dashboard's JSON API (`/api/v1/anomalies/*`): model status, recent scores (of one asset or
 * all), recent anomaly events and the latest drift statistics per asset. Query parameters are read
 * with edge-common's readers (UTF-8 text without control characters, date-times of the years 1 to
 * 9999, bounded integers); a bad one is a 400 saying why.
 */
import {
  BadRequestError,
  dateParameter,
  integerParameter,
  jsonReply,
  type Route,
  textParameter,
} from '@uns-mlops/edge-common';
import type { ModelHost } from '../inference/model-host';
import type { DriftReporter } from './drift-reporter';
import type { RecentResults } from './recent-results';

const ASSET_PATH = /^[^/#+]+(\/[^/#+]+){5}$/;
/** Events answered when `limit` is absent (fewer when the runtime keeps fewer). */
const DEFAULT_EVENTS = 50;
/** Longest asset path accepted: six UNS levels of a sensible length. */
const MAX_ASSET_PATH_LENGTH = 1_000;

/** Routes of the API, to be merged into the HTTP server's table. */
export function anomalyApi(
  host: ModelHost,
  results: RecentResults,
  drift: Pick<DriftReporter, 'availability' | 'latestDrift'>,
  maxEvents: number,
): Record<string, Route> {
  const assetParameter = (query: URLSearchParams) => {
    const asset = textParameter(query, 'asset', MAX_ASSET_PATH_LENGTH);
    if (asset !== undefined && !ASSET_PATH.test(asset)) {
      throw new BadRequestError('asset must be an asset path enterprise/site/area/line/cell/asset');
    }
    return asset;
  };
  return {
    '/api/v1/anomalies/status': () => {
      const { serving, shadow } = host;
      const agreement = host.agreement;
      return jsonReply({
        serving:
          serving === undefined
            ? null
            : {
                modelName: serving.modelName,
                modelVersion: serving.modelVersion,
                threshold: serving.threshold,
                loadedAt: serving.loadedAt.toISOString(),
                drift: drift.availability,
              },
        shadow:
          shadow === undefined
            ? null
            : {
                modelName: shadow.modelName,
                modelVersion: shadow.modelVersion,
                threshold: shadow.threshold,
                agreement: agreement.ratio,
                windowsCompared: agreement.windows,
              },
        swaps: host.swaps,
        refusals: host.refusals.map(({ at, modelVersion, reason }) => ({
          at,
          modelVersion,
          reason,
        })),
      });
    },
    '/api/v1/anomalies/scores': (query) => {
      const asset = assetParameter(query);
      const sinceMs = dateParameter(query, 'since')?.getTime() ?? 0;
      return jsonReply({
        items: asset === undefined ? results.allScores(sinceMs) : results.scoresOf(asset, sinceMs),
      });
    },
    '/api/v1/anomalies/events': (query) => {
      const limit =
        integerParameter(query, 'limit', 1, maxEvents) ?? Math.min(DEFAULT_EVENTS, maxEvents);
      return jsonReply({ items: results.newestEvents(limit) });
    },
    '/api/v1/anomalies/drift': (query) => {
      const asset = assetParameter(query);
      return jsonReply({ ...drift.availability, items: drift.latestDrift(asset) });
    },
  };
}
