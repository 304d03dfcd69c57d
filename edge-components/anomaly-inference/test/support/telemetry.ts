/** Hand-made telemetry blocks for the windowing tests: one asset, exact seq and timing control. */
import type { MqttClient } from 'mqtt';

/** The asset path of cell `cell` of the test line. */
export function asset(cell: string): string {
  return `acme/zwickau/body-shop/body-weld-1/${cell}/welder-1`;
}
/** 2025-01-01T00:00:00Z: a multiple of every stride the tests use. */
export const START_MS = Date.UTC(2025, 0, 1);

/** Plausible welding values of each fixture channel (arc current, voltage, wire feed, gas). */
const LEVELS: Record<string, number> = {
  arc_current: 160,
  arc_voltage: 20,
  wire_feed_speed: 8,
  gas_flow: 15,
};

/** A block of `samples` values of `signal` starting at sample `index` (1 kHz), with `seq`. */
export function block(
  signal: string,
  seq: number,
  index: number,
  samples = 100,
  values?: (number | null | string)[],
): string {
  const level = LEVELS[signal] ?? 1;
  const body =
    values ?? Array.from({ length: samples }, (_, k) => level + Math.sin((index + k) / 7));
  // JSON.stringify writes Infinity as null; 1e999 is how a publisher's Infinity arrives.
  return JSON.stringify({
    t0: new Date(START_MS + index).toISOString(),
    dtMs: 1,
    unit: 'x',
    values: body,
    seq,
  })
    .replace(/"INF"/g, '1e999')
    .replace(/"-INF"/g, '-1e999');
}

/** One block to publish on a signal of an asset. */
export interface Publication {
  readonly signal: string;
  readonly payload: string;
}

/** Blocks `seq` (100 samples each, back to back) of every channel in `signals`, seq-major. */
export function blocks(signals: readonly string[], seqs: readonly number[]): Publication[] {
  return seqs.flatMap((seq) =>
    signals.map((signal) => ({ signal, payload: block(signal, seq, seq * 100) })),
  );
}

/** Publishes the blocks on the telemetry topics of `assetPath`, in order (QoS 1, so in order). */
export async function publish(
  client: MqttClient,
  assetPath: string,
  publications: readonly Publication[],
): Promise<void> {
  for (const { signal, payload } of publications) {
    await client.publishAsync(`${assetPath}/telemetry/${signal}`, payload, { qos: 1 });
  }
}
