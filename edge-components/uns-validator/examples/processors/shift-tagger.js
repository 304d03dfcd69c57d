'use strict';
/**
 * An example plug-in processor, as a plant writes one: plain JavaScript, no build, loaded by path
 * from the chains file:
 *
 *   chains:
 *     state:
 *       - use: enforce
 *       - use: ./plugins/shift-tagger.js
 *         options: { utcOffsetMinutes: 60 }
 *
 * It adds `shift` (`early`, `late` or `night`, three 8-hour shifts, the early one from
 * `earlyShiftStartsAt` o'clock) by the message's receive time to each valid JSON message, and
 * publishes it to `<prefix>/<topic>`. Anything else it skips.
 */

const SHIFTS = ['early', 'late', 'night'];
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * @param {Record<string, unknown>} options `prefix` (default `_shifts`), `utcOffsetMinutes` of the
 *   plant's local time (default 0), `earlyShiftStartsAt` (hour, default 6).
 * @param {import('../../src/processors').ProcessorContext} context
 * @returns {import('../../src/processors').Processor}
 */
function createProcessor(options, context) {
  const { prefix = '_shifts', utcOffsetMinutes = 0, earlyShiftStartsAt = 6, ...unknown } = options;
  const problems = [];
  if (typeof prefix !== 'string' || !/^[^#+/]([^#+]*[^#+/])?$/.test(prefix)) {
    problems.push('options.prefix must be a topic prefix');
  }
  if (!Number.isInteger(utcOffsetMinutes) || Math.abs(utcOffsetMinutes) > 14 * 60) {
    problems.push('options.utcOffsetMinutes must be an integer from -840 to 840');
  }
  if (!Number.isInteger(earlyShiftStartsAt) || earlyShiftStartsAt < 0 || earlyShiftStartsAt > 23) {
    problems.push('options.earlyShiftStartsAt must be an hour from 0 to 23');
  }
  for (const name of Object.keys(unknown)) problems.push(`options.${name} is not an option`);
  if (problems.length > 0) throw new Error(problems.join('; '));

  const shiftOf = (receivedAt) => {
    const sinceEarlyStart =
      (((receivedAt + utcOffsetMinutes * 60_000 - earlyShiftStartsAt * HOUR_MS) % DAY_MS) +
        DAY_MS) %
      DAY_MS;
    return SHIFTS[Math.floor(sinceEarlyStart / (8 * HOUR_MS))];
  };
  const logger = context.logger.child({ processor: 'shift-tagger' });
  logger.info({ prefix, utcOffsetMinutes, earlyShiftStartsAt }, 'shift tagger ready');

  return {
    name: 'shift-tagger',
    outputPrefixes: [prefix],
    process({ topic, verdict, payload, receivedAt }) {
      if (!verdict.valid) return undefined;
      let body;
      try {
        body = JSON.parse(payload.toString('utf8'));
      } catch {
        return undefined; // not JSON (a Sparkplug B payload): nothing to tag
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
      body.shift = shiftOf(receivedAt);
      return { publications: [{ topic: `${prefix}/${topic}`, payload: JSON.stringify(body) }] };
    },
  };
}

module.exports = { createProcessor };
