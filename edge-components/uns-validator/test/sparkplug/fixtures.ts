import { get } from 'sparkplug-payload';
import { org } from 'sparkplug-payload/lib/sparkplugPayloadProto';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';
import type { SparkplugCheckResult } from '../../src/sparkplug';

function tahuCodec(): NonNullable<ReturnType<typeof get>> {
  const codec = get('spBv1.0');
  if (codec === null) throw new Error('sparkplug-payload has no spBv1.0 codec');
  return codec;
}

const codec = tahuCodec();

/** A fixed publish time for every fixture payload. */
export const T0 = 1_700_000_000_000;
export const GROUP = 'plant1';
export const EDGE = 'edge1';
export const DEVICE = 'press1';

/** `spBv1.0/plant1/{type}/edge1[/{device}]`. */
export function topicOf(type: string, device?: string, edge = EDGE): string {
  return device === undefined
    ? `spBv1.0/${GROUP}/${type}/${edge}`
    : `spBv1.0/${GROUP}/${type}/${edge}/${device}`;
}

/** Encodes with the Eclipse Tahu codec (`sparkplug-payload`), as edge nodes do. */
export function encode(payload: UPayload): Uint8Array {
  return codec.encodePayload(payload);
}

/** Encodes raw protobuf fields, for payloads the Tahu codec would refuse to build. */
export function encodeRaw(payload: org.eclipse.tahu.protobuf.IPayload): Uint8Array {
  return org.eclipse.tahu.protobuf.Payload.encode(payload).finish();
}

/** An NBIRTH: seq 0, bdSeq, Node Control/Rebirth, and Temperature (alias 1, Double). */
export function nbirth(
  options: { bdSeq?: number; seq?: number; extra?: UMetric[] } = {},
): Uint8Array {
  return encode({
    timestamp: T0,
    seq: options.seq ?? 0,
    metrics: [
      { name: 'bdSeq', type: 'UInt64', value: options.bdSeq ?? 0 },
      { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
      { name: 'Temperature', alias: 1, type: 'Double', value: 21.5 },
      ...(options.extra ?? []),
    ],
  });
}

/** A DBIRTH: Pressure (alias 10, Float) and Status (alias 11, String). */
export function dbirth(seq: number, extra: UMetric[] = []): Uint8Array {
  return encode({
    timestamp: T0,
    seq,
    metrics: [
      { name: 'Pressure', alias: 10, type: 'Float', value: 1.5 },
      { name: 'Status', alias: 11, type: 'String', value: 'ok' },
      ...extra,
    ],
  });
}

/** An NDATA/DDATA/DDEATH-style payload with the given seq and metrics. */
export function data(seq: number, metrics: UMetric[] = []): Uint8Array {
  return encode({ timestamp: T0, seq, metrics });
}

/** An NDEATH as registered in the MQTT will: just bdSeq, no seq. */
export function ndeath(bdSeq: number): Uint8Array {
  return encode({ timestamp: T0, metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }] });
}

/** A Temperature update by alias only, as data messages send it. */
export function temperature(value: number): UMetric {
  return { alias: 1, type: 'Double', value };
}

/** The assertion ids of a result's errors, in order. */
export function assertionsOf(result: SparkplugCheckResult): (string | undefined)[] {
  return result.errors.map((error) => error.assertion);
}
