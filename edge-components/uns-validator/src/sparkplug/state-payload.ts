import type { VerdictError } from '../verdict';
import { ASSERTION, ruleError } from './assertions';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(payload: Uint8Array): { readonly json: unknown } | { readonly error: string } {
  try {
    return { json: JSON.parse(utf8.decode(payload)) as unknown };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Checks a host application's STATE payload: UTF-8 JSON `{ "online": boolean, "timestamp": number }`
 * (milliseconds since the epoch). Errors cite the birth assertion, or the death assertion when
 * `online` is `false`.
 */
export function checkStatePayload(payload: Uint8Array): VerdictError[] {
  const parsed = parseJson(payload);
  if ('error' in parsed) {
    return [
      {
        kind: 'unparseable-payload',
        path: '',
        message: `STATE payload is not UTF-8 JSON: ${parsed.error}`,
      },
    ];
  }
  const { json } = parsed;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const message =
      'STATE payload must be a JSON object { "online": boolean, "timestamp": number }';
    return [ruleError('', message, ASSERTION.stateBirthPayload)];
  }
  const { online, timestamp } = json as { online?: unknown; timestamp?: unknown };
  const assertion = online === false ? ASSERTION.stateDeathPayload : ASSERTION.stateBirthPayload;
  const errors: VerdictError[] = [];
  if (typeof online !== 'boolean') {
    errors.push(ruleError('/online', 'STATE payload must have a boolean "online"', assertion));
  }
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) {
    const message =
      'STATE payload must have a numeric "timestamp" (UTC milliseconds since the epoch)';
    errors.push(ruleError('/timestamp', message, assertion));
  }
  return errors;
}
