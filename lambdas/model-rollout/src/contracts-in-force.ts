/**
 * The UNS contract running at the plants: the AsyncAPI documents the validator component ships
 * (the repository's `asyncapi/`, copied into this function's bundle at synthesis), parsed with
 * `@asyncapi/parser` as the validator parses them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import {
  TELEMETRY_CHANNEL,
  type TelemetryContract,
  telemetryContract,
} from '@uns-mlops/edge-common/src/model-contract-gate';

const CONTRACT_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * The telemetry of the first document in `directory` (name order, the validator's load order)
 * that has a telemetry channel. Diagnostics do not stop a document from loading here: the
 * validator's own tests hold the documents to its rules.
 *
 * @throws Error when no document of the folder has a telemetry channel.
 */
export async function loadTelemetryContract(directory: string): Promise<TelemetryContract> {
  const files = (await readdir(directory))
    .filter((name) => CONTRACT_EXTENSIONS.has(extname(name).toLowerCase()))
    .sort();
  const parser = new Parser();
  for (const file of files) {
    const { document } = await parser.parse(await readFile(join(directory, file), 'utf8'), {
      source: file,
      validateOptions: { allowedSeverity: { error: true } },
    });
    if (document?.channels().get(TELEMETRY_CHANNEL) !== undefined) {
      return telemetryContract(document);
    }
  }
  throw new Error(
    `no AsyncAPI document in ${directory} (${files.join(', ')}) has a "${TELEMETRY_CHANNEL}" channel`,
  );
}
