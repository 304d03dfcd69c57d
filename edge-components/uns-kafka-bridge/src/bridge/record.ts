/** One Kafka record as the bridge forwards (and spools) it. */
export interface BridgeRecord {
  /** Kafka topic. */
  readonly topic: string;
  /** Record key: the asset path for ISA-95 topics (see the mapping). */
  readonly key: string;
  /** The original MQTT payload, byte for byte. */
  readonly value: Buffer;
  /** Receive time, epoch milliseconds (the record's Kafka timestamp). */
  readonly timestamp: number;
  /** Record headers (see README: Kafka record contract). */
  readonly headers: Readonly<Record<string, string>>;
}
