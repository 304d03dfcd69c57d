/**
 * `downsample`: a mirror topic with fewer messages: at most one per topic per interval, or every
 * Nth message of each topic.
 */
import type { JSONSchemaType } from 'ajv';
import { checkOptions, PREFIX_SCHEMA } from './options';
import type { ProcessorFactory } from './processor';

/** Options of `downsample`; exactly one of `intervalMs` and `every`. */
export interface DownsampleOptions {
  /**
   * Mirror namespace: kept messages are published to `<prefix>/<topic>`.
   * @default '_downsampled'
   */
  prefix: string;
  /**
   * Keep a message when at least this many ms (by receive time) have passed since the last kept
   * message of its topic: at most one message per topic per interval, the first of each.
   */
  intervalMs?: number;
  /** Keep every Nth message of each topic: the 1st, the (N+1)th, ... */
  every?: number;
}

const schema: JSONSchemaType<DownsampleOptions> = {
  type: 'object',
  additionalProperties: false,
  required: ['prefix'],
  properties: {
    prefix: { ...PREFIX_SCHEMA, default: '_downsampled' },
    intervalMs: { type: 'integer', minimum: 1, nullable: true },
    every: { type: 'integer', minimum: 2, nullable: true },
  },
};

/**
 * Creates the `downsample` processor: the valid messages it keeps are published unchanged (any
 * payload, Sparkplug B too) to `<prefix>/<topic>`; the others, and invalid messages, are
 * `skipped`. The message goes on unchanged. It remembers one number per topic; a reload of the
 * chains starts afresh (the first message of each topic is kept).
 *
 * @throws Error when an option is wrong, or not exactly one of `intervalMs` and `every` is set.
 */
export const createDownsample: ProcessorFactory = (options) => {
  const { prefix, intervalMs, every } = checkOptions(schema, options);
  if ((intervalMs === undefined) === (every === undefined)) {
    throw new Error('options must set exactly one of intervalMs and every');
  }
  /** Per topic: receive time of the last kept message (intervalMs), or messages seen modulo `every`. */
  const state = new Map<string, number>();
  const keep =
    intervalMs !== undefined
      ? (topic: string, receivedAt: number) => {
          const last = state.get(topic);
          if (last !== undefined && receivedAt - last < intervalMs) return false;
          state.set(topic, receivedAt);
          return true;
        }
      : (topic: string) => {
          const seen = state.get(topic) ?? 0;
          state.set(topic, (seen + 1) % (every ?? 1));
          return seen === 0;
        };
  return {
    name: 'downsample',
    outputPrefixes: [prefix],
    process({ topic, verdict, payload, receivedAt }) {
      if (!verdict.valid || !keep(topic, receivedAt)) return undefined;
      return { publications: [{ topic: `${prefix}/${topic}`, payload }] };
    },
  };
};
