/**
 * The dashboard's JSON API (`/api/v1/anomalies/*`): model status, recent scores (of one asset or
 * all) and
 * recent anomaly events.
 */
import { BadRequestError, jsonReply, type Route } from '@uns-mlops/edge-common';
import type { ModelHost } from '../inference/model-host';
import type { RecentResults } from './recent-results';

const ASSET_PATH = /^[^/#+]+(\/[^/#+]+){5}$/;

/** Routes of the API, to be merged into the HTTP server's table. */
export function anomalyApi(
  host: ModelHost,
  results: RecentResults,
  maxEvents: number,
): Record<string, Route> {
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
      const asset = query.get('asset');
      if (asset !== null && !ASSET_PATH.test(asset)) {
        throw new BadRequestError(
          'asset must be an asset path enterprise/site/area/line/cell/asset',
        );
      }
      const since = query.get('since');
      const sinceMs = since === null ? 0 : Date.parse(since);
      if (Number.isNaN(sinceMs))
        throw new BadRequestError(`since ${JSON.stringify(since)} is not an ISO time`);
      return jsonReply({
        items: asset === null ? results.allScores(sinceMs) : results.scoresOf(asset, sinceMs),
      });
    },
    '/api/v1/anomalies/events': (query) => {
      const text = query.get('limit');
      const limit = text === null ? 50 : Number(text);
      if (!Number.isInteger(limit) || limit < 1 || limit > maxEvents) {
        throw new BadRequestError(`limit must be an integer from 1 to ${maxEvents}`);
      }
      return jsonReply({ items: results.newestEvents(limit) });
    },
  };
}
