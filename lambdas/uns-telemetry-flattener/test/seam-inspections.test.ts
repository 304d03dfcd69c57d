import { channelTopic, conforming, contractExample } from '@uns-mlops/test-services';
import { flattenInspectionRecord } from '../src/seam-inspections';
import { ADDRESS, ASSET_COLUMNS, deliveryColumns, flattenerOf, HEADERS, rejection } from './events';

const TOPIC = channelTopic('inspection', ADDRESS);
/** The contract's example: seam-00042 failed the vision check for gas loss (porosity). */
const POROSITY = contractExample('seamInspection', 'porosity');

const rowsOf = flattenerOf(flattenInspectionRecord, 'uns.inspection', TOPIC);

describe('flattenInspectionRecord', () => {
  it('turns a seam inspection into one row of seam_inspections: the label of the seam', () => {
    expect(rowsOf(POROSITY)).toEqual([
      {
        ...ASSET_COLUMNS,
        seam_id: 'seam-00042',
        seam_start: Date.parse('2025-11-25T08:15:30.000Z'),
        seam_end: Date.parse('2025-11-25T08:15:33.400Z'),
        verdict: 'fail',
        defect_class: 'gas_loss',
        station: 'qa-vision-1',
        inspector: null,
        inspected_at: Date.parse('2025-11-25T08:15:41.000Z'),
        ...deliveryColumns(TOPIC),
        dt: '2025-11-25',
      },
    ]);
  });

  it('keeps a pass by a person without a defect class, naming the inspector', () => {
    const pass = contractExample('seamInspection', 'porosity');
    delete pass.defectClass;
    Object.assign(pass, { verdict: 'pass', inspector: 'j.novak' });
    expect(rowsOf(conforming('SeamInspection', pass))[0]).toMatchObject({
      verdict: 'pass',
      defect_class: null,
      inspector: 'j.novak',
    });
  });

  it('dates the row by the seam’s start, the day of its telemetry, not by the later verdict', () => {
    const [row] = rowsOf({
      ...POROSITY,
      seamStart: '2025-11-25T23:59:58.000Z',
      seamEnd: '2025-11-26T00:00:01.000Z',
      inspectedAt: '2025-11-26T06:10:00.000Z',
    });
    expect(row).toMatchObject({
      dt: '2025-11-25',
      inspected_at: Date.parse('2025-11-26T06:10:00Z'),
    });
  });

  it.each([
    [
      'a seam ending before it starts',
      { ...POROSITY, seamEnd: '2025-11-25T08:15:29.000Z' },
      'seamEnd is before seamStart',
    ],
    [
      'a fail without defect class',
      { ...POROSITY, defectClass: undefined },
      'a fail verdict needs defectClass',
    ],
    [
      'a pass with a defect class',
      { ...POROSITY, verdict: 'pass' },
      'a pass verdict has no defectClass',
    ],
    [
      'a verdict outside the contract',
      { ...POROSITY, verdict: 'rework' },
      'verdict must be one of pass, fail',
    ],
    [
      'a seam start that is no time',
      { ...POROSITY, seamStart: 1764058530000 },
      'seamStart must be an RFC 3339 date-time',
    ],
    ['a missing station', { ...POROSITY, station: undefined }, 'station must be a string'],
    [
      'a missing verdict time',
      { ...POROSITY, inspectedAt: undefined },
      'inspectedAt must be an RFC 3339 date-time',
    ],
  ])('rejects %s, naming why', (_, payload, reason) => {
    expect(rejection(() => rowsOf(payload))).toBe(reason);
  });

  it('rejects a verdict published on another asset-level topic', () => {
    const alarmTopic = channelTopic('alarm', ADDRESS);
    expect(
      rejection(() => rowsOf(POROSITY, { headers: { [HEADERS.mqttTopic]: alarmTopic } })),
    ).toBe(
      `MQTT topic ${alarmTopic} is no inspection topic {enterprise}/{site}/{area}/{line}/{cell}/{asset}/inspection`,
    );
  });
});
