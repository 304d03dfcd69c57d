/** Names of the record headers the bridge sets (configured by the CDK construct). */
export interface HeaderNames {
  readonly mqttTopic: string;
  readonly receivedAt: string;
  readonly contractVersion: string;
}

/** A Kafka record that cannot become rows; the reason says which contract rule it broke. */
export class RejectedRecord extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RejectedRecord';
  }
}

/**
 * The bridge's receive time from its header (ISO-8601 or epoch milliseconds), else the Kafka
 * record's timestamp.
 *
 * @throws RejectedRecord when the header is there but no time.
 */
export function parseReceivedAt(header: string | undefined, kafkaTimestamp: number): number {
  if (header === undefined) return kafkaTimestamp;
  const millis = /^\d+$/.test(header) ? Number(header) : Date.parse(header);
  if (Number.isNaN(millis)) {
    throw new RejectedRecord(`received-at header ${JSON.stringify(header)} is not a time`);
  }
  return millis;
}

/** A base64 key or value of the record as UTF-8; a missing one is rejected, naming `what`. */
export function decodeBase64(value: string | undefined | null, what: string): string {
  if (value === undefined || value === null || value === '') {
    throw new RejectedRecord(`${what} is missing`);
  }
  return Buffer.from(value, 'base64').toString('utf8');
}
