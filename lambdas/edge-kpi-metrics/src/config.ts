/** The service name of the function's logs and metrics. */
export const SERVICE_NAME = 'edge-kpi-metrics';

/** What the function reads from its environment, after defaults. */
export interface KpiConfig {
  /** CloudWatch namespace of the metrics. */
  readonly namespace: string;
  /** Name of the record header that carries the original MQTT topic (set by the bridge). */
  readonly mqttTopicHeader: string;
  /**
   * A bridge whose heartbeat says UNS records have waited this long with nothing produced to
   * Kafka counts as stalled (the bridge's own `/health` turns 503 at `health.stallAfterMs`).
   */
  readonly stallAfterMs: number;
}

/** The configuration when no variable is set. */
export const DEFAULT_CONFIG: KpiConfig = {
  namespace: 'UnsMlops/Edge',
  mqttTopicHeader: 'uns-topic',
  stallAfterMs: 30_000,
};

/**
 * Reads `METRICS_NAMESPACE`, `HEADER_MQTT_TOPIC` and `BRIDGE_STALL_AFTER_MS`; an unset or empty
 * variable takes its default from {@link DEFAULT_CONFIG}.
 *
 * @throws Error when `BRIDGE_STALL_AFTER_MS` is not a positive whole number of milliseconds.
 */
export function configFromEnvironment(env: NodeJS.ProcessEnv): KpiConfig {
  const stallAfter = env.BRIDGE_STALL_AFTER_MS;
  const stallAfterMs = stallAfter ? Number(stallAfter) : DEFAULT_CONFIG.stallAfterMs;
  if (!Number.isSafeInteger(stallAfterMs) || stallAfterMs <= 0) {
    throw new Error(
      `${SERVICE_NAME}: BRIDGE_STALL_AFTER_MS ${JSON.stringify(stallAfter)} is not a positive whole number of milliseconds`,
    );
  }
  return {
    namespace: env.METRICS_NAMESPACE || DEFAULT_CONFIG.namespace,
    mqttTopicHeader: env.HEADER_MQTT_TOPIC || DEFAULT_CONFIG.mqttTopicHeader,
    stallAfterMs,
  };
}
