import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadContracts } from '../../src/contract/load-contracts';
import type { LoadedChannel, LoadedContracts } from '../../src/contract/model';
import { validateMessage } from '../../src/validate/validate-message';
import {
  BROKEN,
  CONTRACT_DIR,
  CONTRADICTING_EXAMPLES,
  EVENTS_V3,
  EXAMPLES_AND_ERRORS,
  FIXTURES_DIR,
  PARTIAL_PARAMETER,
  PLANT_V2,
  WELDING_CONTRACT,
} from '../fixtures/paths';

function channelOf(contracts: LoadedContracts, id: string): LoadedChannel {
  const channel = contracts.contracts
    .flatMap((contract) => contract.channels)
    .find((candidate) => candidate.id === id);
  if (channel === undefined) throw new Error(`no channel ${id}`);
  return channel;
}

describe('loadContracts', () => {
  let welding: LoadedContracts;
  let plant: LoadedContracts;

  beforeAll(async () => {
    [welding, plant] = await Promise.all([
      loadContracts([CONTRACT_DIR]),
      loadContracts([PLANT_V2]),
    ]);
  });

  it('loads every document of a directory, with title, info.version and source, and no warnings', () => {
    expect(welding.contracts).toHaveLength(1);
    expect(welding.contracts[0]).toMatchObject({
      title: 'UNS welding plant',
      version: '1.4.0',
      asyncapiVersion: '3.0.0',
      source: WELDING_CONTRACT,
      loadOrder: 0,
      warnings: [],
    });
  });

  it('models every channel of the welding contract with its address', () => {
    const channels = welding.contracts[0]?.channels.map(({ id, address }) => [id, address]);
    expect(channels).toEqual([
      ['telemetry', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/telemetry/{signal}'],
      ['state', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/state'],
      ['alarm', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/alarm'],
      ['inspection', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/inspection'],
      ['anomaly', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/_ml/{model}'],
      ['anomalyShadow', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/_ml/{model}/shadow'],
      ['anomalyEvent', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/_ml/{model}/events'],
      ['anomalyDrift', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/_ml/{model}/drift'],
      ['modelStatus', '{enterprise}/{site}/_ml/{model}/status'],
      ['validationSummary', '{enterprise}/{site}/_validation'],
      ['validationViolation', '{enterprise}/{site}/_validation/violations'],
      ['validationContracts', '{enterprise}/{site}/_validation/contracts'],
      ['sparkplugNode', 'spBv1.0/{group}/{verb}/{edgeNode}'],
      ['sparkplugDevice', 'spBv1.0/{group}/{verb}/{edgeNode}/{device}'],
      ['sparkplugState', 'spBv1.0/STATE/{hostId}'],
    ]);
  });

  it('turns 3.0 parameters into string schemas from their enum and x-pattern', () => {
    const parameters = channelOf(welding, 'telemetry').parameters;
    expect(parameters.map((parameter) => parameter.name)).toEqual([
      'enterprise',
      'site',
      'area',
      'line',
      'cell',
      'asset',
      'signal',
    ]);
    expect(parameters[0]?.schema).toEqual({ type: 'string' });
    expect(parameters[1]?.schema).toEqual({ type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$' });
    expect(parameters[6]?.schema).toMatchObject({
      type: 'string',
      enum: [
        'arc_current',
        'arc_voltage',
        'wire_feed_speed',
        'gas_flow',
        'travel_speed',
        'contact_tip_temperature',
      ],
    });
  });

  it('takes 2.x parameter schemas as they are', () => {
    const [site, machineNo] = channelOf(plant, 'plant/{site}/machine/{machineNo}/info').parameters;
    expect(site?.schema).toMatchObject({ type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$' });
    expect(machineNo?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 999 });
  });

  it('gives each message its id, payload format and compiled payload schema', () => {
    const state = channelOf(welding, 'state');
    expect(state.payloadFormat).toBe('json');
    expect(state.messages).toHaveLength(1);
    expect(state.messages[0]).toMatchObject({
      id: 'assetState',
      payloadFormat: 'json',
      payloadSchema: { type: 'object', required: ['ts', 'state'] },
    });
    expect(state.messages[0]?.validate).toEqual(expect.any(Function));
    expect(channelOf(welding, 'telemetry').messages.map((message) => message.id)).toEqual([
      'arcCurrent',
      'arcVoltage',
      'wireFeedSpeed',
      'gasFlow',
      'travelSpeed',
      'contactTipTemperature',
    ]);
  });

  it('marks Sparkplug B channels and gives their messages no JSON Schema', () => {
    for (const id of ['sparkplugNode', 'sparkplugDevice']) {
      const channel = channelOf(welding, id);
      expect(channel.payloadFormat).toBe('sparkplug-b');
      expect(channel.messages).toEqual([
        {
          id: 'sparkplugPayload',
          payloadFormat: 'sparkplug-b',
          payloadSchema: undefined,
          validate: undefined,
          test: undefined,
          fixedProperties: [],
        },
      ]);
    }
    expect(channelOf(welding, 'sparkplugState').payloadFormat).toBe('json');
  });

  it('compiles a recursive schema, the cycle becoming a local $ref', () => {
    const [message] = channelOf(plant, 'plant/{site}/bom').messages;
    expect(message?.payloadSchema).toMatchObject({
      type: 'object',
      properties: { parts: { type: 'array', items: { $ref: '#' } } },
    });
    expect(message?.payloadSchema).not.toHaveProperty('$id');
  });

  it('loads a directory in file name order, skipping subdirectories and other files', async () => {
    const contracts = await loadContracts([FIXTURES_DIR]);
    expect(contracts.contracts.map((contract) => [contract.title, contract.loadOrder])).toEqual([
      ['Test events (AsyncAPI 3.0, overlapping messages)', 0],
      ['Test plant (AsyncAPI 2.6)', 1],
    ]);
  });

  it('loads documents in the order of the paths given, each once', async () => {
    const contracts = await loadContracts([PLANT_V2, EVENTS_V3, FIXTURES_DIR]);
    expect(contracts.contracts.map((contract) => contract.source)).toEqual([PLANT_V2, EVENTS_V3]);
  });

  it('rejects a document with error diagnostics, naming the file and each error', async () => {
    const loading = loadContracts([PLANT_V2, BROKEN]);
    await expect(loading).rejects.toThrow(BROKEN);
    await expect(loading).rejects.toThrow(/"info" property must have required property "version"/);
    await expect(loading).rejects.toThrow(/'#\/channels\/missing' does not exist/);
  });

  it('rejects an address whose parameter shares a topic level with text, naming file and channel', async () => {
    await expect(loadContracts([PARTIAL_PARAMETER])).rejects.toThrow(
      `${PARTIAL_PARAMETER}: channel 'lineStatus': address 'plant/line-{no}/status'`,
    );
  });

  it('rejects paths without any AsyncAPI document', async () => {
    await expect(loadContracts([])).rejects.toThrow(/no AsyncAPI documents/);
  });

  it('rejects a path that does not exist', async () => {
    await expect(loadContracts([`${FIXTURES_DIR}/missing.yaml`])).rejects.toThrow(/ENOENT/);
  });
});

/** The parts of an AsyncAPI 3.0 document the example test reads. */
interface ExampleSource {
  channels: Record<
    string,
    {
      address: string;
      parameters?: Record<string, { $ref?: string; enum?: string[]; examples?: string[] }>;
      messages: Record<string, { $ref: string }>;
    }
  >;
  components: {
    parameters: Record<string, { enum?: string[]; examples?: string[] }>;
    messages: Record<string, { examples?: { name: string; payload: unknown }[] }>;
  };
}

/**
 * Every message example of the welding contract, on a topic of its channel (each parameter its
 * first example, or first enum value, or its name): the AsyncAPI 3.0 parser does not check
 * message examples against their payload schemas, so the validator does.
 */
function weldingExamples(): [string, string, string, unknown][] {
  const document = parseYaml(readFileSync(WELDING_CONTRACT, 'utf8')) as ExampleSource;
  const component = (ref: string | undefined) =>
    document.components.parameters[ref?.split('/').pop() ?? ''];
  return Object.entries(document.channels).flatMap(
    ([channel, { address, parameters, messages }]) => {
      const topic = address.replaceAll(/\{(\w+)\}/g, (_, name: string) => {
        const parameter = parameters?.[name];
        const resolved = parameter?.$ref === undefined ? parameter : component(parameter.$ref);
        return resolved?.examples?.[0] ?? resolved?.enum?.[0] ?? name;
      });
      return Object.values(messages).flatMap(({ $ref }) => {
        const message = $ref.split('/').pop() ?? '';
        return (document.components.messages[message]?.examples ?? []).map(
          ({ name, payload }): [string, string, string, unknown] => [
            `${message}/${name}`,
            channel,
            topic,
            payload,
          ],
        );
      });
    },
  );
}

describe('the welding contract’s examples', () => {
  let welding: LoadedContracts;

  beforeAll(async () => {
    welding = await loadContracts([CONTRACT_DIR]);
  });

  it('has examples of the validator’s own publications', () => {
    expect(weldingExamples().map(([example]) => example)).toEqual(
      expect.arrayContaining([
        'violationSample/arcCurrentOutOfRange',
        'contractsInForce/weldingContract',
      ]),
    );
  });

  it.each(weldingExamples())('judges %s valid on channel %s (%s)', (_, channel, topic, payload) => {
    const verdict = validateMessage(welding, topic, Buffer.from(JSON.stringify(payload)));

    expect(verdict).toMatchObject({ channel, errors: [], valid: true });
  });
});

/** A copy of `file` without any `examples` (message examples and schema examples alike). */
function withoutExamples(file: string): string {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key]) => key !== 'examples')
        .map(([key, value]) => [key, strip(value)]),
    );
  };
  const copy = join(mkdtempSync(join(tmpdir(), 'no-examples-')), 'contract.yaml');
  writeFileSync(copy, stringifyYaml(strip(parseYaml(readFileSync(file, 'utf8')))));
  return copy;
}

describe('loadContracts with examples that contradict their schemas', () => {
  const TOPIC = 'acme/zwickau/furnace/3/temperature';
  const PAYLOADS = [
    { ts: '2026-01-05T06:00:00Z', celsius: 980.5 },
    { ts: '2026-01-05T06:00:00Z', temp: 980.5 },
    { ts: '2026-01-05T06:00:00Z', celsius: 'hot' },
    { ts: '2026-01-05T06:00:00Z', fahrenheit: 1800 },
    { ts: 'yesterday', celsius: 2500 },
  ].map((payload) => Buffer.from(JSON.stringify(payload)));

  it('loads the contract, each contradicting example a warning with rule, path and line', async () => {
    const { contracts } = await loadContracts([CONTRADICTING_EXAMPLES]);

    expect(contracts[0]?.channels.map((channel) => channel.id)).toEqual([
      'acme/{site}/furnace/{furnace}/temperature',
    ]);
    expect(contracts[0]?.warnings).toEqual([
      {
        rule: 'asyncapi2-schema-examples',
        path: 'components.messages.temperature.payload.examples.0',
        line: 40,
        message: '"0" property must have required property "celsius"',
      },
      expect.objectContaining({ rule: 'asyncapi2-schema-examples', line: 40 }),
      expect.objectContaining({
        rule: 'asyncapi2-message-examples',
        path: 'components.messages.temperature.examples.0.payload',
      }),
      expect.objectContaining({ rule: 'asyncapi2-message-examples', line: 44 }),
      {
        rule: 'asyncapi2-message-examples',
        path: 'components.messages.temperature.examples.1.payload.celsius',
        line: 50,
        message: '"celsius" property type must be number',
      },
    ]);
  });

  it('judges payloads exactly as the same contract without its examples', async () => {
    const withExamples = await loadContracts([CONTRADICTING_EXAMPLES]);
    const without = await loadContracts([withoutExamples(CONTRADICTING_EXAMPLES)]);
    const judge = (contracts: LoadedContracts) =>
      PAYLOADS.map((payload) => {
        const { valid, errors } = validateMessage(contracts, TOPIC, payload);
        return { valid, errors };
      });

    expect(without.contracts[0]?.warnings).toEqual([]);
    expect(judge(withExamples)).toEqual(judge(without));
    expect(judge(withExamples).map(({ valid }) => valid)).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('refuses the contract when strict, naming each contradicting example', async () => {
    const loading = loadContracts([CONTRADICTING_EXAMPLES], { strict: true });

    await expect(loading).rejects.toThrow(
      `${CONTRADICTING_EXAMPLES}: invalid AsyncAPI document (5 errors)`,
    );
    await expect(loading).rejects.toThrow(
      /line 50 at components\.messages\.temperature\.examples\.1\.payload\.celsius: "celsius" property type must be number \[asyncapi2-message-examples\]/,
    );
  });

  it('still refuses a document with any other error, naming that error', async () => {
    const loading = loadContracts([EXAMPLES_AND_ERRORS]);

    await expect(loading).rejects.toThrow(
      `${EXAMPLES_AND_ERRORS}: invalid AsyncAPI document (1 errors)`,
    );
    await expect(loading).rejects.toThrow(/'#\/components\/messages\/missing' does not exist/);
  });
});
