/**
 * Loads AsyncAPI 2.x and 3.0 documents into the validator's model in one step: parsed once with
 * `@asyncapi/parser`, each JSON Schema compiled once with ajv, every channel indexed by address.
 */
import { compileContracts } from './compile-contracts';
import { describeContracts, type DescribeOptions } from './describe-contracts';
import type { LoadedContracts } from './model';

/**
 * Loads the AsyncAPI documents at `paths` (files, or directories whose `*.yaml`, `*.yml` and
 * `*.json` files are loaded, not recursing into subdirectories, in name order).
 *
 * Load order is the order of `paths`; when channels of several contracts match a topic, the first
 * loaded contract wins. Examples that contradict their schemas become each contract's `warnings`
 * unless `options.strict` is set.
 *
 * @throws Error when no document is found, or naming every file whose document has error
 *   diagnostics (those about examples only when strict) or cannot be modelled (e.g. a parameter
 *   sharing a topic level with text).
 */
export async function loadContracts(
  paths: readonly string[],
  options: DescribeOptions = {},
): Promise<LoadedContracts> {
  return compileContracts(await describeContracts(paths, options));
}
