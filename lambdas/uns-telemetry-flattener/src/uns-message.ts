import { decodeHeaders } from '@uns-mlops/msk-records';
import type { MSKRecord } from 'aws-lambda';
import { type HeaderNames, parseReceivedAt, RejectedRecord } from './record';

/** Site ids as the contract's `{site}` parameter allows them (`x-pattern`). */
export const SITE_ID = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * The columns every row of a UNS message carries: how the message came (the Lakehouse tables'
 * delivery columns) and its site, the `site` partition value.
 */
export interface MessageColumns {
  /** The original MQTT topic. */
  readonly mqtt_topic: string;
  /** `info.version` of the contract in force at the bridge; null without the header. */
  readonly contract_version: string | null;
  /** When the bridge received the message, epoch milliseconds (the Kafka timestamp without the header). */
  readonly received_at: number;
  readonly site: string;
}

/** A UNS message as the bridge forwards it: the levels of its MQTT topic, and its rows' columns. */
export interface UnsMessage {
  readonly levels: readonly string[];
  readonly columns: MessageColumns;
}

/**
 * The UNS message of a record, from its headers: the original MQTT topic (its address: the site,
 * the asset, the data class) and the bridge's receive time and contract version. The key, the
 * asset path or `enterprise/site` the bridge orders records by, repeats what the topic says.
 *
 * @throws RejectedRecord when the MQTT-topic header is missing, the topic has an empty level or a
 *   site that is no site id, or the receive-time header is no time.
 */
export function readUnsMessage(record: MSKRecord, headers: HeaderNames): UnsMessage {
  const headerValues = decodeHeaders(record.headers);
  const mqttTopic = headerValues.get(headers.mqttTopic);
  if (mqttTopic === undefined) throw new RejectedRecord(`header ${headers.mqttTopic} is missing`);
  const levels = mqttTopic.split('/');
  if (levels.includes('')) {
    throw new RejectedRecord(`MQTT topic ${JSON.stringify(mqttTopic)} has an empty level`);
  }
  const site = levels[1] ?? '';
  if (!SITE_ID.test(site)) {
    throw new RejectedRecord(`site ${JSON.stringify(site)} of ${mqttTopic} is not a site id`);
  }
  return {
    levels,
    columns: {
      mqtt_topic: mqttTopic,
      contract_version: headerValues.get(headers.contractVersion) ?? null,
      received_at: parseReceivedAt(headerValues.get(headers.receivedAt), record.timestamp),
      site,
    },
  };
}

/** The ISA-95 levels of an asset as the Lakehouse tables' columns (the site is a partition). */
export interface AssetColumns {
  readonly enterprise: string;
  readonly area: string;
  readonly line: string;
  readonly cell: string;
  readonly asset: string;
}

/** Levels of an asset path, `{enterprise}/{site}/{area}/{line}/{cell}/{asset}`. */
export const ASSET_LEVELS = 6;

/** The asset of a topic `{enterprise}/{site}/{area}/{line}/{cell}/{asset}/…` (at least 6 levels). */
export function assetColumns(levels: readonly string[]): AssetColumns {
  const [enterprise = '', , area = '', line = '', cell = '', asset = ''] = levels;
  return { enterprise, area, line, cell, asset };
}

/**
 * The message of an asset's data class on `{enterprise}/{site}/{area}/{line}/{cell}/{asset}/<dataClass>`
 * (`state`, `alarm`, `inspection`), with its asset.
 *
 * @throws RejectedRecord as {@link readUnsMessage}, and when the MQTT topic is no topic of that
 *   data class.
 */
export function readAssetMessage(
  record: MSKRecord,
  headers: HeaderNames,
  dataClass: string,
): UnsMessage & { readonly asset: AssetColumns } {
  const message = readUnsMessage(record, headers);
  const { levels } = message;
  if (levels.length !== ASSET_LEVELS + 1 || levels[ASSET_LEVELS] !== dataClass) {
    throw new RejectedRecord(
      `MQTT topic ${message.columns.mqtt_topic} is no ${dataClass} topic {enterprise}/{site}/{area}/{line}/{cell}/{asset}/${dataClass}`,
    );
  }
  return { ...message, asset: assetColumns(levels) };
}
