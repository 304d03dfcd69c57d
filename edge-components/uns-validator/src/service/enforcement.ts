import type { Verdict } from '../verdict';
import type { EnforcementMode, ValidatorConfig } from './config';

/** A message the enforcement mode republishes. */
export interface Republication {
  readonly mode: Exclude<EnforcementMode, 'monitor'>;
  readonly topic: string;
  readonly payload: Buffer | string;
}

/**
 * What the channel's enforcement mode does with a judged message:
 * - `monitor` (default): nothing beyond recording the verdict;
 * - `quarantine`: an invalid message is republished to `<quarantinePrefix>/<topic>` with the reason
 *   (a JSON envelope: topic, time, contract version, errors, payload size and the original payload
 *   in base64, except a payload judged `payload-too-large`);
 * - `filter`: a valid message is republished unchanged to `<validatedPrefix>/<topic>`, a mirror
 *   namespace holding only contract-valid data.
 */
export function enforce(
  settings: ValidatorConfig['enforcement'],
  verdict: Verdict,
  payload: Buffer,
  receivedAt: number,
): Republication | undefined {
  const mode = modeOf(settings, verdict.channel);
  if (mode === 'quarantine' && !verdict.valid) {
    // A payload too large for its channel is not carried again: the envelope says its size.
    const tooLarge = verdict.errors.some(({ kind }) => kind === 'payload-too-large');
    return {
      mode,
      topic: `${settings.quarantinePrefix}/${verdict.topic}`,
      payload: JSON.stringify({
        topic: verdict.topic,
        receivedAt: new Date(receivedAt).toISOString(),
        channel: verdict.channel,
        contractVersion: verdict.contractVersion,
        errors: verdict.errors,
        payloadBytes: payload.byteLength,
        payloadBase64: tooLarge ? undefined : payload.toString('base64'),
      }),
    };
  }
  if (mode === 'filter' && verdict.valid) {
    return { mode, topic: `${settings.validatedPrefix}/${verdict.topic}`, payload };
  }
  return undefined;
}

/** The enforcement mode of a channel (messages on unknown topics get the default). */
export function modeOf(
  settings: ValidatorConfig['enforcement'],
  channel: string | undefined,
): EnforcementMode {
  return (channel === undefined ? undefined : settings.channels[channel]) ?? settings.defaultMode;
}

/** Whether a topic is one the validator itself republishes to (never validated again). */
export function isEnforcementOutput(
  settings: ValidatorConfig['enforcement'],
  topic: string,
): boolean {
  return (
    topic.startsWith(`${settings.quarantinePrefix}/`) ||
    topic.startsWith(`${settings.validatedPrefix}/`)
  );
}
