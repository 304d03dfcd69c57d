/** The offline CLI core: a JSON Lines recording in, one JSON verdict per line out. */
import { PassThrough } from 'node:stream';
import { validateRecorded, type RecordedVerdict } from '../../src/cli/validate-offline';
import type { SparkplugHook } from '../../src/validate/validate-message';
import { CONTRACT_DIR, FIXTURES_DIR, RECORDING } from '../fixtures/paths';

async function run(
  sparkplug?: SparkplugHook,
  inputFile = RECORDING,
): Promise<{ summary: { total: number; invalid: number }; verdicts: RecordedVerdict[] }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const summary = await validateRecorded({ specPaths: [CONTRACT_DIR], inputFile, out, sparkplug });
  out.end();
  const text = Buffer.concat(chunks).toString('utf8');
  const verdicts = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RecordedVerdict);
  return { summary, verdicts };
}

describe('validateRecorded', () => {
  it('writes one verdict per non-blank input line and counts the invalid ones', async () => {
    const { summary, verdicts } = await run();
    expect(summary).toEqual({ total: 6, invalid: 3 });
    expect(verdicts.map(({ line, valid }) => [line, valid])).toEqual([
      [1, true],
      [2, false],
      [4, false],
      [5, true],
      [6, false],
      [7, true],
    ]);
  });

  it('reports channel, message, contract version and errors of each line', async () => {
    const { verdicts } = await run();
    expect(verdicts[0]).toEqual({
      line: 1,
      topic: 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1/state',
      valid: true,
      channel: 'state',
      messageId: 'assetState',
      contractVersion: '1.4.0',
      errors: [],
    });
    expect(verdicts[1]).toMatchObject({
      line: 2,
      channel: 'telemetry',
      messageId: 'gasFlow',
      errors: [
        {
          kind: 'schema-violation',
          path: '/dtMs',
          schemaPath: '#/allOf/1/properties/dtMs/exclusiveMinimum',
        },
      ],
    });
    expect(verdicts[4]).toMatchObject({ line: 6, errors: [{ kind: 'unknown-topic' }] });
  });

  it('decodes payloadBase64 lines', async () => {
    const { verdicts } = await run();
    expect(verdicts[3]).toMatchObject({
      line: 5,
      channel: 'sparkplugState',
      messageId: 'hostState',
    });
  });

  it('turns a malformed input line into an unparseable-payload verdict', async () => {
    const { verdicts } = await run();
    expect(verdicts[2]).toMatchObject({ line: 4, topic: '', valid: false });
    expect(verdicts[2]?.errors).toHaveLength(1);
    expect(verdicts[2]?.errors[0]).toMatchObject({ kind: 'unparseable-payload', path: '' });
    expect(verdicts[2]?.errors[0]?.message).toMatch(/^input line is not valid JSON: /);
  });

  it('passes Sparkplug payloads to the hook', async () => {
    const seen: string[] = [];
    const { verdicts } = await run((topic, payload) => {
      seen.push(`${topic} ${Buffer.from(payload).toString('base64')}`);
      return [{ kind: 'sparkplug-rule', path: '', message: 'NDATA before NBIRTH' }];
    });
    expect(seen).toEqual(['spBv1.0/plant-a/NDATA/edge-1 CAESBAgBEAI=']);
    expect(verdicts[5]).toMatchObject({
      line: 7,
      valid: false,
      channel: 'sparkplugNode',
      errors: [{ kind: 'sparkplug-rule', message: 'NDATA before NBIRTH' }],
    });
  });

  it('rejects when the input file cannot be read', async () => {
    await expect(run(undefined, `${FIXTURES_DIR}/missing.jsonl`)).rejects.toThrow(/ENOENT/);
  });
});
