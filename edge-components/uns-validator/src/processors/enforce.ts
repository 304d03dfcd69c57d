/**
 * `enforce`: the validator's enforcement modes as a processor (the whole default chain). The mode
 * of each channel comes from the validator's `enforcement` settings, not from the chain's options:
 * the contracts in force publish those modes, so they stay in one place.
 */
import type { JSONSchemaType } from 'ajv';
import { enforce, modeOf } from '../service/enforcement';
import { checkOptions } from './options';
import { UNKNOWN_CHANNEL, type ProcessorFactory } from './processor';

const schema: JSONSchemaType<Record<string, never>> = {
  type: 'object',
  additionalProperties: false,
  required: [],
};

/**
 * Creates the `enforce` processor: per the channel's mode, `quarantine` publishes an invalid
 * message's envelope to `<quarantinePrefix>/<topic>`, `filter` a valid message unchanged to
 * `<validatedPrefix>/<topic>` (each publication's `kind` is the mode); a message the mode does not
 * act on is `skipped`, and a `monitor` channel's chain leaves it out. It takes no options.
 */
export const createEnforce: ProcessorFactory = (options, { enforcement }) => {
  checkOptions(schema, options);
  return {
    name: 'enforce',
    outputPrefixes: [enforcement.quarantinePrefix, enforcement.validatedPrefix],
    actsOn: (channel) =>
      modeOf(enforcement, channel === UNKNOWN_CHANNEL ? undefined : channel) !== 'monitor',
    process({ verdict, payload, receivedAt }) {
      const republication = enforce(enforcement, verdict, payload, receivedAt);
      if (republication === undefined) return undefined;
      const { mode, topic } = republication;
      return { publications: [{ topic, payload: republication.payload, kind: mode }] };
    },
  };
};
