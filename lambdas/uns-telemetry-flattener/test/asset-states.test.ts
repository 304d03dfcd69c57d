import { channelTopic, conforming, contractExample } from '@uns-mlops/test-services';
import { flattenStateRecord } from '../src/asset-states';
import { ADDRESS, ASSET_COLUMNS, deliveryColumns, flattenerOf, HEADERS, rejection } from './events';

const TOPIC = channelTopic('state', ADDRESS);
/** The contract's example: the welder starts seam S-0815 with program P12. */
const WELDING = contractExample('assetState', 'welding');

const rowsOf = flattenerOf(flattenStateRecord, 'uns.state', TOPIC);

describe('flattenStateRecord', () => {
  it('turns an asset state into one row of asset_states, dated by its own time', () => {
    expect(rowsOf(WELDING)).toEqual([
      {
        ...ASSET_COLUMNS,
        state_time: Date.parse('2025-11-25T08:15:30.000Z'),
        state: 'welding',
        seam_id: 'S-0815',
        program: 'P12',
        ...deliveryColumns(TOPIC),
        dt: '2025-11-25',
      },
    ]);
  });

  it('writes null for the seam and program a state does not name', () => {
    const idle = conforming('AssetState', { ts: '2025-11-25T23:59:59.999+00:00', state: 'idle' });
    expect(rowsOf(idle)[0]).toMatchObject({ state: 'idle', seam_id: null, program: null });
  });

  it('dates a state by the UTC day of its time, whatever the offset it is written with', () => {
    const [row] = rowsOf({ ...WELDING, ts: '2025-11-26T00:30:00+01:00' });
    expect(row).toMatchObject({ state_time: Date.parse('2025-11-25T23:30:00Z'), dt: '2025-11-25' });
  });

  it.each([
    [
      'a topic of another data class',
      { headers: { [HEADERS.mqttTopic]: `${TOPIC}/extra` } },
      WELDING,
      `MQTT topic ${TOPIC}/extra is no state topic {enterprise}/{site}/{area}/{line}/{cell}/{asset}/state`,
    ],
    [
      'a missing MQTT-topic header',
      { headers: { [HEADERS.mqttTopic]: undefined } },
      WELDING,
      'header uns-topic is missing',
    ],
    [
      'a site that is no site id',
      { headers: { [HEADERS.mqttTopic]: TOPIC.replace('zwickau', 'Zwickau') } },
      WELDING,
      `site "Zwickau" of ${TOPIC.replace('zwickau', 'Zwickau')} is not a site id`,
    ],
    ['a value that is not JSON', { rawValue: '{"ts":' }, undefined, 'value is not JSON'],
    ['a JSON array', {}, [WELDING], 'value is not an asset state object'],
    [
      'a time without time zone',
      {},
      { ...WELDING, ts: '2025-11-25T08:15:30' },
      'ts must be an RFC 3339 date-time',
    ],
    [
      'a state outside the contract',
      {},
      { ...WELDING, state: 'sleeping' },
      'state must be one of idle, welding, fault, maintenance, offline',
    ],
    ['a seam id that is no string', {}, { ...WELDING, seamId: 815 }, 'seamId must be a string'],
  ])('rejects %s, naming why', (_, options, payload, reason) => {
    expect(rejection(() => rowsOf(payload, options))).toBe(reason);
  });
});
