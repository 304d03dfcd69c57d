/**
 * Every AsyncAPI document in `asyncapi/` is a valid contract: the AsyncAPI parser reports no errors
 * and `info.version` is a semantic version (it travels with every verdict).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';

const CONTRACT_DIR = join(__dirname, '..', '..', 'asyncapi');
/** semver.org's suggested regular expression. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
/** As a number: the parser's diagnostics carry their own copy of the severity enum. */
const ERROR_SEVERITY: number = DiagnosticSeverity.Error;

const documents = readdirSync(CONTRACT_DIR)
  .filter((name) => ['.yaml', '.yml', '.json'].includes(extname(name).toLowerCase()))
  .sort();
const parser = new Parser();

test('the contract directory holds at least one AsyncAPI document', () => {
  expect(documents).toContain('uns-welding.asyncapi.yaml');
});

describe.each(documents)('asyncapi/%s', (name) => {
  const file = join(CONTRACT_DIR, name);

  it('parses without error diagnostics and declares a semver info.version', async () => {
    const { document, diagnostics } = await parser.parse(readFileSync(file, 'utf8'), {
      source: file,
    });
    const errors = diagnostics
      .filter((diagnostic) => {
        const severity: number = diagnostic.severity;
        return severity === ERROR_SEVERITY;
      })
      .map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`);
    expect(errors).toEqual([]);
    expect(document?.info().version()).toMatch(SEMVER);
  });
});
