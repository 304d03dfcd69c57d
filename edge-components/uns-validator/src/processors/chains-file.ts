/**
 * The chains file: which processors run, in which order, on each channel's messages. Read and
 * checked as a whole; a file with any problem is refused with every problem listed.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, describeSchemaError } from '@uns-mlops/edge-common';
import Ajv, { type JSONSchemaType } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { createContextualise } from './contextualise';
import { createDownsample } from './downsample';
import { createEnforce } from './enforce';
import { createNormalise } from './normalise';

import type { Processor, ProcessorContext, ProcessorFactory } from './processor';

/** The processors a chain can `use` by name; anything else is the path of a plug-in module. */
export const BUILT_IN_PROCESSORS: Readonly<Record<string, ProcessorFactory>> = {
  enforce: createEnforce,
  contextualise: createContextualise,
  normalise: createNormalise,
  downsample: createDownsample,
};

/** The chain of channels the file does not list (`default` in the file). */
export const DEFAULT_CHAIN = 'default';

/** How long a processor may take on one message unless its step says otherwise, ms. */
export const DEFAULT_TIMEOUT_MS = 1000;

/** Messages of one channel that may wait behind slow processors unless the file says otherwise. */
export const DEFAULT_QUEUE_CAPACITY = 10_000;

/** One step of a chain, as written. */
export interface ChainStepConfig {
  /** A built-in processor's name, or a plug-in module's path (relative to the file's folder). */
  use: string;
  /** The processor's options. @default {} */
  options?: Record<string, unknown>;
  /** How long the processor may take on one message, ms. @default 1000 */
  timeoutMs?: number;
}

/** The chains file, as written. */
export interface ChainsConfig {
  /** Chains by AsyncAPI channel id; `default` for channels not listed. @default { default: [enforce] } */
  chains: Record<string, ChainStepConfig[]>;
  /** Messages of one channel that may wait behind slow processors. @default 10000 */
  queueCapacity?: number;
}

/** One step of a built chain. */
export interface ChainStep {
  readonly processor: Processor;
  readonly timeoutMs: number;
}

/** The chains of one version of the file, their processors created. */
export interface BuiltChains {
  /** Chains by channel id, `default` included. */
  readonly chains: ReadonlyMap<string, readonly ChainStep[]>;
  readonly queueCapacity: number;
  /** Every processor of the chains, once each (to close them). */
  readonly processors: readonly Processor[];
}

const stepSchema: JSONSchemaType<ChainStepConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['use'],
  properties: {
    use: { type: 'string', minLength: 1 },
    options: { type: 'object', required: [], nullable: true },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 600_000, nullable: true },
  },
};

const schema: JSONSchemaType<ChainsConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['chains'],
  properties: {
    chains: {
      type: 'object',
      required: [],
      additionalProperties: { type: 'array', items: stepSchema },
    },
    queueCapacity: { type: 'integer', minimum: 1, nullable: true },
  },
};

const validateChains = new Ajv({ allErrors: true }).compile(schema);

/**
 * Reads the chains file and creates its processors; without a file, every channel's chain is
 * `[enforce]` (the validator's behaviour before chains). Relative paths (plug-ins, options) are
 * taken from the file's folder.
 *
 * @throws ConfigError listing every problem: unreadable file, schema violations, unknown
 *   processors, plug-ins that do not load, options a factory refused. Processors already created
 *   are closed first.
 */
export async function buildChains(
  file: string | undefined,
  context: Omit<ProcessorContext, 'baseDir'>,
  factories: Readonly<Record<string, ProcessorFactory>> = BUILT_IN_PROCESSORS,
): Promise<BuiltChains> {
  const component = `uns-validator (processor chains ${file ?? 'default'})`;
  const config = file === undefined ? { chains: {} } : readChainsFile(file, component);
  const baseDir = file === undefined ? process.cwd() : dirname(resolve(file));
  const written: ChainsConfig['chains'] = {
    [DEFAULT_CHAIN]: [{ use: 'enforce' }],
    ...config.chains,
  };
  const problems: string[] = [];
  const processors: Processor[] = [];
  const chains = new Map<string, ChainStep[]>();
  for (const [channel, steps] of Object.entries(written)) {
    const chain: ChainStep[] = [];
    for (const [index, step] of steps.entries()) {
      try {
        const processor = await createProcessor(step, { ...context, baseDir }, factories);
        processors.push(processor);
        chain.push({ processor, timeoutMs: step.timeoutMs ?? DEFAULT_TIMEOUT_MS });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        problems.push(`chains.${channel}.${index} (${step.use}): ${reason}`);
      }
    }
    chains.set(channel, chain);
  }
  if (problems.length > 0) {
    await closeProcessors(processors, context.logger);
    throw new ConfigError(component, problems);
  }
  return {
    chains,
    queueCapacity: config.queueCapacity ?? DEFAULT_QUEUE_CAPACITY,
    processors,
  };
}

/** Closes each processor; one that fails to close is logged, the others are still closed. */
export async function closeProcessors(
  processors: readonly Processor[],
  logger: ProcessorContext['logger'],
): Promise<void> {
  for (const processor of processors) {
    try {
      await processor.close?.();
    } catch (error) {
      logger.warn({ err: error, processor: processor.name }, 'processor failed to close');
    }
  }
}

function readChainsFile(file: string, component: string): ChainsConfig {
  let written: unknown;
  try {
    written = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(component, [error instanceof Error ? error.message : String(error)]);
  }
  if (!validateChains(written)) {
    const errors = validateChains.errors ?? [];
    throw new ConfigError(
      component,
      errors.map((error) => describeSchemaError(error)),
    );
  }
  return written;
}

async function createProcessor(
  step: ChainStepConfig,
  context: ProcessorContext,
  factories: Readonly<Record<string, ProcessorFactory>>,
): Promise<Processor> {
  const factory = Object.hasOwn(factories, step.use)
    ? (factories[step.use] as ProcessorFactory)
    : await loadPlugin(step.use, context.baseDir, Object.keys(factories));
  const processor = await factory(step.options ?? {}, context);
  if (typeof processor.name !== 'string' || typeof processor.process !== 'function') {
    throw new Error('the factory did not return a processor (a name and a process function)');
  }
  return processor;
}

/**
 * The factory of a plug-in module: its `createProcessor` export, or its default export (for a
 * CommonJS module, `module.exports` itself or its `createProcessor`).
 */
async function loadPlugin(
  use: string,
  baseDir: string,
  names: readonly string[],
): Promise<ProcessorFactory> {
  if (!use.startsWith('.') && !isAbsolute(use)) {
    throw new Error(
      `unknown processor (built-ins: ${names.join(', ')}; a plug-in is a path starting with ./, ../ or /)`,
    );
  }
  const loaded = (await import(resolve(baseDir, use))) as Record<string, unknown>;
  const candidates = [loaded.createProcessor, loaded.default, exportOf(loaded.default)];
  const factory = candidates.find((candidate) => typeof candidate === 'function');
  if (factory === undefined) {
    throw new Error('the module exports no processor factory (default or createProcessor)');
  }
  return factory as ProcessorFactory;
}

function exportOf(module: unknown): unknown {
  return typeof module === 'object' && module !== null
    ? (module as Record<string, unknown>).createProcessor
    : undefined;
}
