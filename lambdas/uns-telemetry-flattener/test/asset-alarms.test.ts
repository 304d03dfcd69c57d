import { channelTopic, contractExample } from '@uns-mlops/test-services';
import { flattenAlarmRecord } from '../src/asset-alarms';
import { ADDRESS, ASSET_COLUMNS, deliveryColumns, flattenerOf, HEADERS, rejection } from './events';

const TOPIC = channelTopic('alarm', ADDRESS);
/** The contract's example: shielding gas flow low, raised. */
const GAS_LOW = contractExample('alarm', 'gasFlowLow');

const rowsOf = flattenerOf(flattenAlarmRecord, 'uns.alarm', TOPIC);

describe('flattenAlarmRecord', () => {
  it('turns an alarm into one row of asset_alarms, dated by its own time', () => {
    expect(rowsOf(GAS_LOW)).toEqual([
      {
        ...ASSET_COLUMNS,
        alarm_time: Date.parse('2025-11-25T08:15:30.000Z'),
        code: 'GAS-LOW',
        severity: 'warning',
        message: 'Shielding gas flow below 8 l/min',
        active: true,
        ...deliveryColumns(TOPIC),
        dt: '2025-11-25',
      },
    ]);
  });

  it('keeps a cleared alarm as a row with active false', () => {
    expect(rowsOf({ ...GAS_LOW, active: false })[0]).toMatchObject({
      code: 'GAS-LOW',
      active: false,
    });
  });

  it.each([
    [
      'a state topic',
      { headers: { [HEADERS.mqttTopic]: channelTopic('state', ADDRESS) } },
      GAS_LOW,
      `MQTT topic ${channelTopic('state', ADDRESS)} is no alarm topic {enterprise}/{site}/{area}/{line}/{cell}/{asset}/alarm`,
    ],
    ['a missing value', { rawValue: '' }, undefined, 'value is missing'],
    [
      'an unknown severity',
      {},
      { ...GAS_LOW, severity: 'fatal' },
      'severity must be one of info, warning, critical',
    ],
    ['an active flag as text', {}, { ...GAS_LOW, active: 'true' }, 'active must be true or false'],
    ['a missing code', {}, { ...GAS_LOW, code: undefined }, 'code must be a string'],
  ])('rejects %s, naming why', (_, options, payload, reason) => {
    expect(rejection(() => rowsOf(payload, options))).toBe(reason);
  });
});
