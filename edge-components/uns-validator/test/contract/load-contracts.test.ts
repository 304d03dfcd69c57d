import { loadContracts } from '../../src/contract/load-contracts';
import type { LoadedChannel, LoadedContracts } from '../../src/contract/model';
import {
  BROKEN,
  CONTRACT_DIR,
  EVENTS_V3,
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

  it('loads every document of a directory, with title, info.version and source', () => {
    expect(welding.contracts).toHaveLength(1);
    expect(welding.contracts[0]).toMatchObject({
      title: 'UNS welding plant',
      version: '1.1.0',
      asyncapiVersion: '3.0.0',
      source: WELDING_CONTRACT,
      loadOrder: 0,
    });
  });

  it('models every channel of the welding contract with its address', () => {
    const channels = welding.contracts[0]?.channels.map(({ id, address }) => [id, address]);
    expect(channels).toEqual([
      ['telemetry', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/telemetry/{signal}'],
      ['state', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/state'],
      ['alarm', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/alarm'],
      ['anomaly', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/_ml/{model}'],
      ['anomalyShadow', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/_ml/{model}/shadow'],
      ['anomalyEvent', '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/_ml/{model}/events'],
      ['modelStatus', '{enterprise}/{site}/_ml/{model}/status'],
      ['validationSummary', '{enterprise}/{site}/_validation'],
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
