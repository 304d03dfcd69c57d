import { ASSERTION, parseSparkplugTopic } from '../../src/sparkplug';

function assertionsFor(topic: string): (string | undefined)[] {
  const result = parseSparkplugTopic(topic);
  return result.ok ? [] : result.errors.map((error) => error.assertion);
}

describe('parseSparkplugTopic', () => {
  it('parses edge node, device and STATE topics', () => {
    expect(parseSparkplugTopic('spBv1.0/plant1/NBIRTH/edge1')).toEqual({
      ok: true,
      topic: { kind: 'edge-node', groupId: 'plant1', messageType: 'NBIRTH', edgeNodeId: 'edge1' },
    });
    expect(parseSparkplugTopic('spBv1.0/plant1/DDATA/edge1/press 1')).toEqual({
      ok: true,
      topic: {
        kind: 'edge-node',
        groupId: 'plant1',
        messageType: 'DDATA',
        edgeNodeId: 'edge1',
        deviceId: 'press 1',
      },
    });
    expect(parseSparkplugTopic('spBv1.0/STATE/scada1')).toEqual({
      ok: true,
      topic: { kind: 'state', hostId: 'scada1' },
    });
  });

  it('requires the spBv1.0 namespace', () => {
    const result = parseSparkplugTopic('spAv1.0/plant1/NDATA/edge1');
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          kind: 'sparkplug-rule',
          path: '',
          message: "namespace must be 'spBv1.0', got 'spAv1.0'",
          assertion: ASSERTION.namespace,
        },
      ],
    });
  });

  it('requires a device id on D* message types and forbids it on N* types', () => {
    for (const type of ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD']) {
      expect(assertionsFor(`spBv1.0/plant1/${type}/edge1`)).toEqual([ASSERTION.deviceIdRequired]);
    }
    for (const type of ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD']) {
      expect(assertionsFor(`spBv1.0/plant1/${type}/edge1/press1`)).toEqual([
        ASSERTION.deviceIdForbidden,
      ]);
    }
  });

  it('accepts STATE only as spBv1.0/STATE/<host_id>', () => {
    expect(assertionsFor('STATE/scada1')).toEqual([ASSERTION.stateBirthTopic]);
    expect(assertionsFor('spBv1.0/STATE')).toEqual([ASSERTION.stateBirthTopic]);
    expect(assertionsFor('spBv1.0/STATE/scada1/extra')).toEqual([ASSERTION.stateBirthTopic]);
    expect(assertionsFor('spBv1.0/STATE/')).toEqual([ASSERTION.stateBirthTopic]);
    expect(assertionsFor('spBv1.0/plant1/STATE/edge1')).toEqual([ASSERTION.stateBirthTopic]);
  });

  it('rejects empty ids and ids with + or #', () => {
    expect(assertionsFor('spBv1.0//NDATA/edge1')).toEqual([ASSERTION.validGroupId]);
    expect(assertionsFor('spBv1.0/plant+1/NDATA/edge1')).toEqual([ASSERTION.validGroupId]);
    expect(assertionsFor('spBv1.0/plant1/NDATA/edge#1')).toEqual([ASSERTION.validEdgeNodeId]);
    expect(assertionsFor('spBv1.0/plant1/DDATA/edge1/')).toEqual([ASSERTION.validDeviceId]);
    expect(assertionsFor('spBv1.0/STATE/host+')).toEqual([ASSERTION.stateBirthTopic]);
  });

  it('rejects unknown message types and the wrong number of levels', () => {
    expect(assertionsFor('spBv1.0/plant1/NBIRTHX/edge1')).toEqual([ASSERTION.topicStructure]);
    expect(assertionsFor('spBv1.0/plant1/NDATA')).toEqual([ASSERTION.topicStructure]);
    expect(assertionsFor('spBv1.0/plant1/DDATA/edge1/press1/extra')).toEqual([
      ASSERTION.topicStructure,
    ]);
  });
});
