/**
 * The runtime's topics, read from the AsyncAPI contract (never duplicated): the telemetry channel
 * it subscribes to, and the channels it publishes scores, shadow scores, events, drift statistics
 * and status on.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** Channel ids of the contract the runtime uses. */
const CHANNELS = {
  telemetry: 'telemetry',
  score: 'anomaly',
  shadow: 'anomalyShadow',
  event: 'anomalyEvent',
  drift: 'anomalyDrift',
  status: 'modelStatus',
} as const;

/** The levels of a telemetry topic the runtime needs. */
export interface TelemetryTopic {
  /** `enterprise/site/area/line/cell/asset`. */
  readonly asset: string;
  readonly signal: string;
}

/** Topic builders and parsers for one contract, enterprise and site. */
export interface UnsTopics {
  /** Contract title and `info.version`. */
  readonly contractVersion: string;
  /** The signals the contract's telemetry channel allows (`{signal}` enum). */
  readonly signals: readonly string[];
  /** Subscription filter of one signal's telemetry of the site. */
  telemetryFilter(signal: string): string;
  /** Asset path and signal of a telemetry topic; undefined when it is not one. */
  parseTelemetry(topic: string): TelemetryTopic | undefined;
  score(asset: string, model: string): string;
  shadow(asset: string, model: string): string;
  event(asset: string, model: string): string;
  drift(asset: string, model: string): string;
  status(model: string): string;
}

interface ChannelDocument {
  address?: unknown;
  parameters?: Record<string, { enum?: unknown }>;
}

/**
 * Reads the contract and builds the topics for `enterprise` and `site`.
 *
 * @throws Error when the document lacks one of the channels or their parameters.
 */
export function loadUnsTopics(contractFile: string, enterprise: string, site: string): UnsTopics {
  const document = parseYaml(readFileSync(contractFile, 'utf8')) as {
    info?: { version?: unknown };
    channels?: Record<string, ChannelDocument | undefined>;
  };
  const address = (id: string): string[] => {
    const value = document.channels?.[id]?.address;
    if (typeof value !== 'string') throw new Error(`${contractFile} has no channel "${id}"`);
    return value.split('/');
  };
  const telemetry = address(CHANNELS.telemetry);
  const signalEnum = document.channels?.[CHANNELS.telemetry]?.parameters?.signal?.enum;
  const signalLevel = telemetry.indexOf('{signal}');
  const assetLevel = telemetry.indexOf('{asset}');
  if (!Array.isArray(signalEnum) || signalLevel < 0 || assetLevel < 0) {
    throw new Error(`${contractFile}: the telemetry channel needs {asset} and an enum of {signal}`);
  }
  const fill = (levels: string[], values: Record<string, string>, wildcard?: string): string =>
    levels
      .map((level) => {
        const name = /^\{(.+)\}$/.exec(level)?.[1];
        if (name === undefined) return level;
        const value = values[name] ?? wildcard;
        if (value === undefined) throw new Error(`no value for {${name}}`);
        return value;
      })
      .join('/');
  const withAsset = (levels: string[]) => (asset: string, model: string) => {
    const [e = '', s = '', area = '', line = '', cell = '', a = ''] = asset.split('/');
    return fill(levels, { enterprise: e, site: s, area, line, cell, asset: a, model });
  };
  const score = address(CHANNELS.score);
  const shadow = address(CHANNELS.shadow);
  const event = address(CHANNELS.event);
  const drift = address(CHANNELS.drift);
  const status = address(CHANNELS.status);
  return {
    contractVersion: String(document.info?.version),
    signals: signalEnum.map(String),
    telemetryFilter: (signal) => fill(telemetry, { enterprise, site, signal }, '+'),
    parseTelemetry: (topic) => {
      const levels = topic.split('/');
      if (levels.length !== telemetry.length) return undefined;
      for (let i = 0; i < levels.length; i++) {
        const template = telemetry[i];
        if (template !== undefined && !template.startsWith('{') && template !== levels[i]) {
          return undefined;
        }
      }
      const signal = levels[signalLevel];
      if (signal === undefined) return undefined;
      return { asset: levels.slice(0, assetLevel + 1).join('/'), signal };
    },
    score: withAsset(score),
    shadow: withAsset(shadow),
    event: withAsset(event),
    drift: withAsset(drift),
    status: (model) => fill(status, { enterprise, site, model }),
  };
}
