import type { ErrorKind, Verdict } from '../../src/verdict';

/** 2030-01-01T00:00:00Z: a minute boundary, so buckets in tests start at round times. */
export const T0 = Date.UTC(2030, 0, 1);
export const MINUTE = 60_000;

export const JSON_PAYLOAD = new TextEncoder().encode('{"temperature":21.5}');

/** A valid verdict on the `machineTelemetry` channel of contract 1.2.0. */
export function validVerdict(parameters: Record<string, string> = {}): Verdict {
  return {
    topic: `${parameters.site ?? 'site'}/${parameters.area ?? 'area'}/telemetry`,
    valid: true,
    channel: 'machineTelemetry',
    messageId: 'telemetry',
    contractVersion: '1.2.0',
    parameters,
    errors: [],
  };
}

/** An invalid verdict whose first error is of `kind`. */
export function invalidVerdict(
  kind: ErrorKind,
  overrides: Partial<Verdict> = {},
  message = `${kind} happened`,
): Verdict {
  return {
    ...validVerdict(),
    valid: false,
    errors: [{ kind, path: '/temperature', schemaPath: '#/properties/temperature/type', message }],
    ...overrides,
  };
}
