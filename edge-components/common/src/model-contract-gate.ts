/**
 * The contract ↔ model gate: whether a model bundle can read the telemetry a UNS contract lets the
 * plants publish. Every input channel of the model must be a telemetry signal of the contract, in
 * the contract's unit of that signal, sampled at an interval the contract's blocks of that signal
 * may have (the runtime does not resample); the window must be long enough to hold a signal's
 * shape and short enough for scores to follow the telemetry closely. Pure: the contract comes
 * parsed (`@asyncapi/parser`, as the validator loads it), the model as its manifest says.
 */
import type { AsyncAPIDocumentInterface, SchemaInterface } from '@asyncapi/parser';
import Ajv, { type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';

/** What a model bundle's manifest says about its input (see pipelines/model-bundle). */
export interface ModelInputs {
  readonly modelName: string;
  readonly modelVersion: string;
  /** Input channels in input order: the `{signal}` level of the telemetry topic, and its unit. */
  readonly channels: readonly { readonly name: string; readonly unit?: string }[];
  /** Samples per window, and between the starts of consecutive windows. */
  readonly window: { readonly length: number; readonly stride: number };
  /** The grid the model was trained on; the runtime reads blocks sampled at exactly this rate. */
  readonly sampleRateHz: number;
}

/** One telemetry signal as a contract defines it. */
export interface ContractSignal {
  /** The `{signal}` level of the topic, e.g. `arc_current`. */
  readonly name: string;
  /** The unit the contract fixes for the signal's blocks; undefined when it fixes none. */
  readonly unit: string | undefined;
  /** JSON Schema of the blocks' sample interval `dtMs` (every constraint the payload puts on it). */
  readonly sampleIntervalSchema: AnySchema;
}

/** The telemetry part of a UNS contract. */
export interface TelemetryContract {
  /** `info.title`. */
  readonly title: string;
  /** `info.version`: the contract version a decision names. */
  readonly version: string;
  readonly signals: readonly ContractSignal[];
}

/** Limits on a model's window beyond what the contract says. */
export interface WindowRules {
  /**
   * Fewest samples a window may hold.
   * @default 16 - fewer samples hold too little of a signal's shape for an autoencoder to learn.
   */
  readonly minSamples?: number;
  /**
   * Longest time a window may span, in milliseconds.
   * @default 60000 - a score then lags the telemetry it judges by at most a minute.
   */
  readonly maxDurationMs?: number;
}

/** The gate's decision on one model against one contract. */
export interface ContractGateResult {
  /** True when nothing in `reasons`. */
  readonly compatible: boolean;
  /** Why the model cannot read the contract's telemetry: one sentence each, empty when it can. */
  readonly reasons: readonly string[];
  /** The contract judged against. */
  readonly contract: { readonly title: string; readonly version: string };
  /** The model judged. */
  readonly model: { readonly name: string; readonly version: string };
}

/** The contract channel the telemetry signals are read from (as the inference runtime reads it). */
export const TELEMETRY_CHANNEL = 'telemetry';

const WINDOW_DEFAULTS: Required<WindowRules> = { minSamples: 16, maxDurationMs: 60_000 };

/**
 * The telemetry signals of a parsed contract: the `{signal}` values of channel `channelId`, each
 * with the message the contract gives it (by convention the signal's name in camelCase,
 * `arc_current` → `arcCurrent`), the unit that message fixes (`const`, or a one-value `enum`,
 * of the payload's `unit`, also inside `allOf`) and every constraint it puts on `dtMs`.
 *
 * @throws Error when the document has no such channel, or the channel no enum of `{signal}`.
 */
export function telemetryContract(
  document: AsyncAPIDocumentInterface,
  channelId: string = TELEMETRY_CHANNEL,
): TelemetryContract {
  const info = document.info();
  const channel = document.channels().get(channelId);
  if (channel === undefined) {
    throw new Error(`${info.title()} ${info.version()} has no channel "${channelId}"`);
  }
  const names = channel.parameters().get('signal')?.schema()?.enum();
  if (!Array.isArray(names) || names.length === 0) {
    throw new Error(
      `${info.title()} ${info.version()}: channel "${channelId}" has no enum of {signal}`,
    );
  }
  const messages = channel.messages().all();
  const signals = names.map(String).map((name): ContractSignal => {
    const id = camelCase(name);
    const payload = messages
      .find((message) => message.id() === id || message.name() === id)
      ?.payload();
    const intervals = payload === undefined ? [] : propertySchemas(payload, 'dtMs');
    return {
      name,
      unit: payload === undefined ? undefined : fixedValue(propertySchemas(payload, 'unit')),
      sampleIntervalSchema: { allOf: intervals },
    };
  });
  return { title: info.title(), version: info.version(), signals };
}

/**
 * Checks a model's input against a contract's telemetry and the window rules, and gives every
 * reason the model cannot read it, each a sentence naming the channel and both sides.
 */
export function checkModelAgainstContract(
  model: ModelInputs,
  contract: TelemetryContract,
  rules: WindowRules = {},
): ContractGateResult {
  const reasons: string[] = [];
  const { minSamples, maxDurationMs } = { ...WINDOW_DEFAULTS, ...rules };
  const contractName = `${contract.title} ${contract.version}`;
  const periodMs = 1000 / model.sampleRateHz;
  const seen = new Set<string>();
  for (const channel of model.channels) {
    if (seen.has(channel.name)) {
      reasons.push(`Channel "${channel.name}" is an input of the model more than once.`);
      continue;
    }
    seen.add(channel.name);
    const signal = contract.signals.find((candidate) => candidate.name === channel.name);
    if (signal === undefined) {
      reasons.push(
        `Channel "${channel.name}" is not a telemetry signal of ${contractName} (its signals: ${contract.signals.map((s) => s.name).join(', ')}).`,
      );
      continue;
    }
    if (signal.unit !== undefined && channel.unit === undefined) {
      reasons.push(
        `Channel "${channel.name}" gives no unit, so nothing shows it was trained on ${signal.unit}, the unit of ${contractName}.`,
      );
    } else if (signal.unit !== undefined && channel.unit !== signal.unit) {
      reasons.push(
        `Channel "${channel.name}" is in ${String(channel.unit)}, but ${contractName} sends ${channel.name} in ${signal.unit}.`,
      );
    }
    const intervalProblem = sampleIntervalProblem(signal, periodMs);
    if (intervalProblem !== undefined) {
      reasons.push(
        `The model reads ${channel.name} at ${formatNumber(model.sampleRateHz)} Hz (a sample every ${formatNumber(periodMs)} ms), an interval the ${channel.name} blocks of ${contractName} cannot have: dtMs ${intervalProblem}.`,
      );
    }
  }
  const { length, stride } = model.window;
  const durationMs = length * periodMs;
  const lasting = `${formatNumber(durationMs)} ms at ${formatNumber(model.sampleRateHz)} Hz`;
  if (length < minSamples) {
    reasons.push(
      `The window of ${length} samples (${lasting}) is shorter than ${minSamples} samples, too few to hold the shape of a signal.`,
    );
  }
  if (durationMs > maxDurationMs) {
    reasons.push(
      `The window of ${length} samples lasts ${lasting}, longer than the ${formatNumber(maxDurationMs)} ms a score may lag behind the telemetry it judges.`,
    );
  }
  if (stride > length) {
    reasons.push(
      `The window stride of ${stride} samples is longer than the window of ${length}, so some samples would be in no window.`,
    );
  }
  return {
    compatible: reasons.length === 0,
    reasons,
    contract: { title: contract.title, version: contract.version },
    model: { name: model.modelName, version: model.modelVersion },
  };
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new WeakMap<ContractSignal, ValidateFunction>();

/** What the signal's `dtMs` constraints say against `intervalMs`; undefined when they allow it. */
function sampleIntervalProblem(signal: ContractSignal, intervalMs: number): string | undefined {
  let validate = compiled.get(signal);
  if (validate === undefined) {
    validate = ajv.compile(signal.sampleIntervalSchema);
    compiled.set(signal, validate);
  }
  if (validate(intervalMs)) return undefined;
  const messages = (validate.errors ?? [])
    .filter((error) => error.keyword !== 'allOf')
    .map(describeError);
  return [...new Set(messages)].join(', ');
}

/** An ajv error as a sentence part, with the allowed values where ajv leaves them out. */
function describeError(error: ErrorObject): string {
  const params = error.params as { allowedValue?: unknown; allowedValues?: unknown[] };
  if (error.keyword === 'const') return `must be ${String(params.allowedValue)}`;
  if (error.keyword === 'enum') return `must be one of ${(params.allowedValues ?? []).join(', ')}`;
  return error.message ?? 'is not allowed';
}

/** The schemas a payload (and each of its `allOf` parts, at any depth) gives property `name`. */
function propertySchemas(schema: SchemaInterface, name: string): AnySchema[] {
  const own = schema.properties()?.[name];
  return [
    ...(own === undefined ? [] : [own.json<AnySchema>()]),
    ...(schema.allOf() ?? []).flatMap((part) => propertySchemas(part, name)),
  ];
}

/** The one value the schemas allow (a `const`, or an `enum` of one), if they fix one. */
function fixedValue(schemas: readonly AnySchema[]): string | undefined {
  for (const schema of schemas) {
    if (typeof schema !== 'object') continue;
    const { const: constant, enum: values } = schema as { const?: unknown; enum?: unknown };
    if (typeof constant === 'string') return constant;
    if (Array.isArray(values) && values.length === 1 && typeof values[0] === 'string') {
      return values[0];
    }
  }
  return undefined;
}

function camelCase(name: string): string {
  return name.replace(/[_-]([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** A number as people read it: up to 6 significant digits, no exponent for everyday sizes. */
function formatNumber(value: number): string {
  return String(Number(value.toPrecision(6)));
}
