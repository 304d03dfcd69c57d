import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * `info.version` of an AsyncAPI document: the contract version every record carries.
 *
 * @throws Error naming the file when it cannot be read or has no version.
 */
export function readContractVersion(path: string): string {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`contract ${path}: ${(error as Error).message}`, { cause: error });
  }
  const version = (document as { info?: { version?: unknown } } | null)?.info?.version;
  if (typeof version !== 'string' || version === '')
    throw new Error(`contract ${path} has no info.version`);
  return version;
}
