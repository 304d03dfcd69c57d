/**
 * The dashboard's API document as a validator of answers: both servers of the compliance API (the
 * edge validator and the cloud's function) check their tests' responses against it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

/** The dashboard's API document, which the compliance API's answers must conform to. */
export const OPENAPI_FILE = join(__dirname, '../../../dashboard/openapi.yaml');

interface OpenApiDocument {
  components: { schemas: Record<string, unknown> };
}

const document = parseYaml(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;
// OpenAPI 3.1 schemas are JSON Schema 2020-12; their references point into the document.
const schemas = JSON.parse(
  JSON.stringify(document.components.schemas).replaceAll('#/components/schemas/', 'api#/$defs/'),
) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addSchema({ $id: 'api', $defs: schemas });

/**
 * The problems of `value` as an instance of the document's schema `name` (`#/components/schemas/`),
 * empty when none.
 */
export function schemaProblems(name: string, value: unknown): string[] {
  const validate = ajv.getSchema(`api#/$defs/${name}`);
  if (validate === undefined) throw new Error(`openapi.yaml has no schema ${name}`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}
