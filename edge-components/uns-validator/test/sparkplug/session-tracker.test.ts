import { ASSERTION, SparkplugSessionTracker } from '../../src/sparkplug';
import {
  DEVICE,
  T0,
  assertionsOf,
  data,
  dbirth,
  encode,
  encodeRaw,
  nbirth,
  ndeath,
  temperature,
  topicOf,
} from './fixtures';

/** A tracker that has seen NBIRTH (seq 0) and the device's DBIRTH (seq 1); the next seq is 2. */
function bornSession(): SparkplugSessionTracker {
  const tracker = new SparkplugSessionTracker();
  expect(tracker.check(topicOf('NBIRTH'), nbirth()).errors).toEqual([]);
  expect(tracker.check(topicOf('DBIRTH', DEVICE), dbirth(1)).errors).toEqual([]);
  return tracker;
}

describe('SparkplugSessionTracker: a valid session', () => {
  it('accepts NBIRTH, DBIRTH, NDATA and DDATA by alias, NCMD, DCMD, DDEATH and NDEATH', () => {
    const tracker = bornSession();
    const messages: [string, Uint8Array][] = [
      [topicOf('NDATA'), data(2, [temperature(22)])],
      [topicOf('DDATA', DEVICE), data(3, [{ alias: 10, type: 'Float', value: 1.75 }])],
      [topicOf('DDATA', DEVICE), data(4, [{ alias: 11, type: 'String', value: 'running' }])],
      [
        topicOf('NCMD'),
        encode({
          timestamp: T0,
          metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
        }),
      ],
      [
        topicOf('DCMD', DEVICE),
        encode({ timestamp: T0, metrics: [{ alias: 10, type: 'Float', value: 2 }] }),
      ],
      [topicOf('NDATA'), data(5, [{ name: 'Temperature', type: 'Double', value: 23 }])],
      [topicOf('DDEATH', DEVICE), data(6)],
      [topicOf('NDEATH'), ndeath(0)],
    ];
    for (const [topic, payload] of messages)
      expect(tracker.check(topic, payload).errors).toEqual([]);
  });

  it('returns the decoded payload so callers need not decode twice', () => {
    const result = new SparkplugSessionTracker().check(topicOf('NBIRTH'), nbirth({ bdSeq: 4 }));
    expect(result.payload?.seq).toBe(0);
    expect(result.payload?.metrics[0]).toMatchObject({
      name: 'bdSeq',
      datatype: 'UInt64',
      value: 4,
    });
  });
});

describe('SparkplugSessionTracker: seq', () => {
  it('reports a gap once, with expected and received seq, then resynchronizes', () => {
    const tracker = bornSession();
    const gap = tracker.check(topicOf('NDATA'), data(4, [temperature(1)]));
    expect(gap.errors).toEqual([
      {
        kind: 'sparkplug-rule',
        path: '/seq',
        message: 'seq gap: expected 2 after 1, got 4',
        assertion: ASSERTION.ndataSeqInc,
      },
    ]);
    expect(tracker.check(topicOf('NDATA'), data(5, [temperature(2)])).errors).toEqual([]);
  });

  it('reports a repeated seq', () => {
    const tracker = bornSession();
    tracker.check(topicOf('DDATA', DEVICE), data(2));
    const repeat = tracker.check(topicOf('DDATA', DEVICE), data(2));
    expect(assertionsOf(repeat)).toEqual([ASSERTION.ddataSeqInc]);
    expect(repeat.errors[0]?.message).toContain('repeated');
  });

  it('accepts seq wrapping from 255 to 0', () => {
    const tracker = new SparkplugSessionTracker();
    tracker.check(topicOf('NBIRTH'), nbirth());
    for (let i = 1; i <= 300; i++) {
      expect(tracker.check(topicOf('NDATA'), data(i % 256, [temperature(i)])).errors).toEqual([]);
    }
  });

  it('requires NBIRTH seq 0 and seq on data messages, and forbids seq on NDEATH and commands', () => {
    const tracker = new SparkplugSessionTracker();
    expect(assertionsOf(tracker.check(topicOf('NBIRTH'), nbirth({ seq: 7 })))).toEqual([
      ASSERTION.nbirthSeqZero,
    ]);
    const noSeq = encode({ timestamp: T0, metrics: [temperature(1)] });
    expect(assertionsOf(tracker.check(topicOf('NDATA'), noSeq))).toEqual([ASSERTION.ndataSeq]);
    const ncmdWithSeq = encode({ timestamp: T0, seq: 3, metrics: [temperature(1)] });
    expect(assertionsOf(tracker.check(topicOf('NCMD'), ncmdWithSeq))).toEqual([ASSERTION.ncmdSeq]);
    const ndeathWithSeq = encode({
      seq: 9,
      metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }],
    });
    expect(assertionsOf(tracker.check(topicOf('NDEATH'), ndeathWithSeq))).toEqual([
      ASSERTION.ndeathSeq,
    ]);
  });

  it('rejects seq above 255', () => {
    const tracker = bornSession();
    expect(assertionsOf(tracker.check(topicOf('NDATA'), data(256)))).toEqual([
      ASSERTION.ndataSeqInc,
    ]);
  });

  it('leaves NCMD and DCMD out of the seq count', () => {
    const tracker = bornSession();
    tracker.check(topicOf('NCMD'), encode({ timestamp: T0, metrics: [temperature(5)] }));
    expect(tracker.check(topicOf('NDATA'), data(2)).errors).toEqual([]);
  });
});

describe('SparkplugSessionTracker: births before data', () => {
  it('reports NDATA, DBIRTH, DDATA and DDEATH from an edge node without NBIRTH', () => {
    const tracker = new SparkplugSessionTracker();
    expect(assertionsOf(tracker.check(topicOf('NDATA'), data(1)))).toEqual([ASSERTION.ndataOrder]);
    expect(assertionsOf(tracker.check(topicOf('DBIRTH', DEVICE), dbirth(2)))).toEqual([
      ASSERTION.dbirthAfterNbirth,
    ]);
    expect(assertionsOf(tracker.check(topicOf('DDATA', DEVICE), data(3)))).toEqual([
      ASSERTION.ddataOrder,
    ]);
    const ddeath = tracker.check(topicOf('DDEATH', DEVICE), data(4));
    expect(assertionsOf(ddeath)).toEqual([ASSERTION.birthFirst]);
    expect(ddeath.errors[0]?.message).toContain(
      "no NBIRTH has been seen from edge node 'plant1/edge1'",
    );
  });

  it('reports DDATA for a device without DBIRTH', () => {
    const tracker = new SparkplugSessionTracker();
    tracker.check(topicOf('NBIRTH'), nbirth());
    const result = tracker.check(topicOf('DDATA', DEVICE), data(1));
    expect(assertionsOf(result)).toEqual([ASSERTION.ddataOrder]);
    expect(result.errors[0]?.message).toBe("DDATA from device 'press1' before its DBIRTH");
  });

  it('reports DDATA after the device DDEATH until its next DBIRTH', () => {
    const tracker = bornSession();
    tracker.check(topicOf('DDEATH', DEVICE), data(2));
    expect(assertionsOf(tracker.check(topicOf('DDATA', DEVICE), data(3)))).toEqual([
      ASSERTION.ddataOrder,
    ]);
    tracker.check(topicOf('DBIRTH', DEVICE), dbirth(4));
    expect(
      tracker.check(topicOf('DDATA', DEVICE), data(5, [{ alias: 10, type: 'Float', value: 1 }]))
        .errors,
    ).toEqual([]);
  });

  it('closes the session on NDEATH: data before the next NBIRTH is reported', () => {
    const tracker = bornSession();
    expect(tracker.check(topicOf('NDEATH'), ndeath(0)).errors).toEqual([]);
    const result = tracker.check(topicOf('NDATA'), data(2));
    expect(assertionsOf(result)).toEqual([ASSERTION.ndataOrder]);
    expect(result.errors[0]?.message).toContain('dead since its NDEATH');
  });

  it('starts a fresh session on rebirth: seq, aliases and device births reset', () => {
    const tracker = bornSession();
    tracker.check(topicOf('NDATA'), data(2));
    expect(tracker.check(topicOf('NBIRTH'), nbirth({ bdSeq: 1 })).errors).toEqual([]);
    expect(tracker.check(topicOf('NDATA'), data(1, [temperature(3)])).errors).toEqual([]);
    expect(assertionsOf(tracker.check(topicOf('DDATA', DEVICE), data(2)))).toEqual([
      ASSERTION.ddataOrder,
    ]);
    expect(tracker.check(topicOf('DBIRTH', DEVICE), dbirth(3)).errors).toEqual([]);
  });
});

describe('SparkplugSessionTracker: bdSeq', () => {
  it('requires a bdSeq metric in NBIRTH and in NDEATH', () => {
    const tracker = new SparkplugSessionTracker();
    const noBdSeq = encode({
      timestamp: T0,
      seq: 0,
      metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }],
    });
    expect(assertionsOf(tracker.check(topicOf('NBIRTH'), noBdSeq))).toEqual([
      ASSERTION.nbirthBdSeq,
    ]);
    const death = encode({ metrics: [{ name: 'reason', type: 'String', value: 'lost' }] });
    expect(assertionsOf(tracker.check(topicOf('NDEATH'), death))).toEqual([ASSERTION.ndeathBdSeq]);
  });

  it('reports an NDEATH whose bdSeq does not match the NBIRTH, and keeps the session open', () => {
    const tracker = new SparkplugSessionTracker();
    tracker.check(topicOf('NBIRTH'), nbirth({ bdSeq: 3 }));
    const stale = tracker.check(topicOf('NDEATH'), ndeath(2));
    expect(stale.errors).toEqual([
      {
        kind: 'sparkplug-rule',
        path: '/metrics/0/value',
        message: 'NDEATH bdSeq 2 does not match bdSeq 3 of the NBIRTH that opened the session',
        assertion: ASSERTION.ndeathBdSeq,
      },
    ]);
    expect(tracker.check(topicOf('NDATA'), data(1)).errors).toEqual([]);
  });

  it('requires Node Control/Rebirth = false in NBIRTH', () => {
    const tracker = new SparkplugSessionTracker();
    const payload = encode({
      timestamp: T0,
      seq: 0,
      metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }],
    });
    expect(assertionsOf(tracker.check(topicOf('NBIRTH'), payload))).toEqual([
      ASSERTION.nbirthRebirth,
    ]);
  });
});

describe('SparkplugSessionTracker: timestamps', () => {
  it('requires a payload timestamp on NBIRTH and NDATA, not on NDEATH', () => {
    const tracker = new SparkplugSessionTracker();
    const birth = encode({
      seq: 0,
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: 0 },
        { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
      ],
    });
    const result = tracker.check(topicOf('NBIRTH'), birth);
    expect(result.errors).toEqual([
      expect.objectContaining({ path: '/timestamp', assertion: ASSERTION.nbirthTimestamp }),
    ]);
    const ndata = encode({ seq: 1, metrics: [] });
    expect(assertionsOf(tracker.check(topicOf('NDATA'), ndata))).toEqual([
      ASSERTION.ndataTimestamp,
    ]);
    const death = encode({ metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }] });
    expect(tracker.check(topicOf('NDEATH'), death).errors).toEqual([]);
  });
});

describe('SparkplugSessionTracker: aliases and metrics', () => {
  it('reports an alias used twice in one NBIRTH', () => {
    const tracker = new SparkplugSessionTracker();
    const result = tracker.check(
      topicOf('NBIRTH'),
      nbirth({ extra: [{ name: 'Humidity', alias: 1, type: 'Double', value: 40 }] }),
    );
    expect(result.errors).toEqual([
      {
        kind: 'sparkplug-rule',
        path: '/metrics/3/alias',
        message: "alias 1 is already bound to metric 'Temperature' of the edge node",
        assertion: ASSERTION.aliasUniqueness,
      },
    ]);
  });

  it('shares one alias space between the edge node and all its devices', () => {
    const tracker = bornSession();
    const second = dbirth(2, []);
    expect(tracker.check(topicOf('DBIRTH', 'press2'), second).errors).toEqual([
      expect.objectContaining({ path: '/metrics/0/alias', assertion: ASSERTION.aliasUniqueness }),
      expect.objectContaining({ path: '/metrics/1/alias', assertion: ASSERTION.aliasUniqueness }),
    ]);
    const clash = encode({
      timestamp: T0,
      seq: 3,
      metrics: [{ name: 'Speed', alias: 1, type: 'Int32', value: 9 }],
    });
    expect(assertionsOf(tracker.check(topicOf('DBIRTH', 'press3'), clash))).toEqual([
      ASSERTION.aliasUniqueness,
    ]);
  });

  it('lets a device reborn within the session rebind its own aliases', () => {
    const tracker = bornSession();
    expect(tracker.check(topicOf('DBIRTH', DEVICE), dbirth(2)).errors).toEqual([]);
  });

  it('reports an alias in data that no birth defined, or that belongs to another scope', () => {
    const tracker = bornSession();
    const unknown = tracker.check(
      topicOf('NDATA'),
      data(2, [{ alias: 99, type: 'Double', value: 1 } as never]),
    );
    expect(unknown.errors).toEqual([
      expect.objectContaining({
        path: '/metrics/0/alias',
        assertion: ASSERTION.nbirthHasAllNodeMetrics,
      }),
    ]);
    const nodeAliasOnDevice = tracker.check(topicOf('DDATA', DEVICE), data(3, [temperature(1)]));
    expect(nodeAliasOnDevice.errors).toEqual([
      expect.objectContaining({
        path: '/metrics/0/alias',
        assertion: ASSERTION.dbirthHasAllDeviceMetrics,
      }),
    ]);
    expect(nodeAliasOnDevice.errors[0]?.message).toContain('bound to the edge node');
  });

  it('reports a metric name in data that the birth did not define', () => {
    const tracker = bornSession();
    const result = tracker.check(
      topicOf('NDATA'),
      data(2, [{ name: 'Humidity', type: 'Double', value: 1 }]),
    );
    expect(assertionsOf(result)).toEqual([ASSERTION.nbirthHasAllNodeMetrics]);
  });

  it('reports data metrics that carry both alias and name, or neither', () => {
    const tracker = bornSession();
    const both = data(2, [{ name: 'Temperature', alias: 1, type: 'Double', value: 1 }]);
    expect(tracker.check(topicOf('NDATA'), both).errors).toEqual([
      expect.objectContaining({
        path: '/metrics/0/name',
        assertion: ASSERTION.aliasOnlyInDataAndCommands,
      }),
    ]);
    const neither = encodeRaw({
      timestamp: T0,
      seq: 3,
      metrics: [{ datatype: 10, doubleValue: 1 }],
    });
    expect(assertionsOf(tracker.check(topicOf('NDATA'), neither))).toEqual([
      ASSERTION.nameRequired,
    ]);
  });

  it('reports a birth metric without a name', () => {
    const tracker = new SparkplugSessionTracker();
    const result = tracker.check(
      topicOf('NBIRTH'),
      nbirth({ extra: [{ alias: 5, type: 'Int32', value: 1 }] }),
    );
    expect(result.errors).toEqual([
      {
        kind: 'sparkplug-rule',
        path: '/metrics/3/name',
        message: 'NBIRTH metrics must have a name',
        assertion: ASSERTION.nbirthMetrics,
      },
    ]);
  });

  it('reports birth metrics without a datatype, with an invalid datatype, or without a value', () => {
    const tracker = new SparkplugSessionTracker();
    tracker.check(topicOf('NBIRTH'), nbirth());
    const payload = encodeRaw({
      timestamp: T0,
      seq: 1,
      metrics: [
        { name: 'NoType', intValue: 1 },
        { name: 'BadType', datatype: 99, intValue: 1 },
        { name: 'NoValue', datatype: 3 },
        { name: 'Null', datatype: 3, isNull: true },
      ],
    });
    expect(tracker.check(topicOf('DBIRTH', DEVICE), payload).errors).toEqual([
      expect.objectContaining({
        path: '/metrics/0/datatype',
        assertion: ASSERTION.datatypeRequired,
      }),
      expect.objectContaining({ path: '/metrics/1/datatype', assertion: ASSERTION.datatypeValue }),
      expect.objectContaining({ path: '/metrics/2/value', assertion: ASSERTION.dbirthValues }),
    ]);
  });

  it('reports values that do not fit the datatype, in births, data and commands', () => {
    const tracker = new SparkplugSessionTracker();
    const birth = encodeRaw({
      timestamp: T0,
      seq: 0,
      metrics: [
        { name: 'bdSeq', datatype: 8, longValue: 0 },
        { name: 'Node Control/Rebirth', datatype: 11, booleanValue: false },
        { name: 'Label', alias: 1, datatype: 12, intValue: 5 },
        { name: 'Level', alias: 2, datatype: 5, intValue: 300 },
        { name: 'Count', alias: 3, datatype: 3, intValue: 7 },
      ],
    });
    const birthResult = tracker.check(topicOf('NBIRTH'), birth);
    expect(birthResult.errors).toEqual([
      {
        kind: 'sparkplug-rule',
        path: '/metrics/2/value',
        message: 'value 5 does not fit datatype String',
        assertion: ASSERTION.nbirthMetrics,
      },
      expect.objectContaining({
        path: '/metrics/3/value',
        message: 'value 300 does not fit datatype UInt8',
      }),
    ]);
    const ndata = encodeRaw({
      timestamp: T0,
      seq: 1,
      metrics: [{ alias: 3, stringValue: 'seven' }],
    });
    expect(tracker.check(topicOf('NDATA'), ndata).errors).toEqual([
      expect.objectContaining({ path: '/metrics/0/value', assertion: ASSERTION.datatypeValue }),
    ]);
    const ncmd = encodeRaw({ timestamp: T0, metrics: [{ alias: 3, booleanValue: true }] });
    expect(assertionsOf(tracker.check(topicOf('NCMD'), ncmd))).toEqual([ASSERTION.ncmdValue]);
  });
});

describe('SparkplugSessionTracker: topics and payloads it cannot use', () => {
  it('reports topic errors without touching any session', () => {
    const tracker = new SparkplugSessionTracker();
    const result = tracker.check(`spBv1.0/plant1/NDATA/edge1/${DEVICE}`, data(1));
    expect(assertionsOf(result)).toEqual([ASSERTION.deviceIdForbidden]);
    expect(tracker.trackedEdgeNodes).toBe(0);
  });

  it.each([
    ['random bytes', Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff])],
    ['a truncated protobuf', nbirth().subarray(0, Math.floor(nbirth().length / 2))],
    ['an empty payload', new Uint8Array(0)],
  ])('gives one unparseable-payload error for %s', (_label, payload) => {
    const result = new SparkplugSessionTracker().check(topicOf('NBIRTH'), payload);
    expect(result.errors).toEqual([
      expect.objectContaining({ kind: 'unparseable-payload', path: '' }),
    ]);
  });

  it('checks STATE payloads as JSON, not protobuf', () => {
    const tracker = new SparkplugSessionTracker();
    const state = (json: string) => tracker.check('spBv1.0/STATE/scada1', Buffer.from(json));
    expect(state(JSON.stringify({ online: true, timestamp: T0 })).errors).toEqual([]);
    expect(state('{"online":"yes"}').errors).toEqual([
      expect.objectContaining({ path: '/online', assertion: ASSERTION.stateBirthPayload }),
      expect.objectContaining({ path: '/timestamp', assertion: ASSERTION.stateBirthPayload }),
    ]);
    expect(state('{"online":false,"timestamp":"now"}').errors).toEqual([
      expect.objectContaining({ path: '/timestamp', assertion: ASSERTION.stateDeathPayload }),
    ]);
    expect(state('[true]').errors).toEqual([
      expect.objectContaining({ path: '', assertion: ASSERTION.stateBirthPayload }),
    ]);
    expect(state('online').errors).toEqual([
      expect.objectContaining({ kind: 'unparseable-payload' }),
    ]);
    const invalidUtf8 = tracker.check(
      'spBv1.0/STATE/scada1',
      Uint8Array.from([0x7b, 0xc3, 0x28, 0x7d]),
    );
    expect(invalidUtf8.errors).toEqual([expect.objectContaining({ kind: 'unparseable-payload' })]);
  });
});

describe('SparkplugSessionTracker: memory bound', () => {
  it('remembers at most maxEdgeNodes edge nodes, forgetting the least recently seen', () => {
    const tracker = new SparkplugSessionTracker({ maxEdgeNodes: 2 });
    tracker.check(topicOf('NBIRTH', undefined, 'e1'), nbirth());
    tracker.check(topicOf('NBIRTH', undefined, 'e2'), nbirth());
    expect(tracker.check(topicOf('NDATA', undefined, 'e1'), data(1)).errors).toEqual([]);
    tracker.check(topicOf('NBIRTH', undefined, 'e3'), nbirth());
    expect(tracker.trackedEdgeNodes).toBe(2);
    expect(tracker.check(topicOf('NDATA', undefined, 'e1'), data(2)).errors).toEqual([]);
    expect(assertionsOf(tracker.check(topicOf('NDATA', undefined, 'e2'), data(1)))).toEqual([
      ASSERTION.ndataOrder,
    ]);
  });

  it('forgets edge nodes idle since before a cutoff', () => {
    const tracker = new SparkplugSessionTracker();
    tracker.check(topicOf('NBIRTH', undefined, 'e1'), nbirth(), 1_000);
    tracker.check(topicOf('NBIRTH', undefined, 'e2'), nbirth(), 2_000);
    tracker.check(topicOf('NDATA', undefined, 'e1'), data(1), 3_000);
    expect(tracker.evictIdle(2_500)).toBe(1);
    expect(tracker.trackedEdgeNodes).toBe(1);
    expect(tracker.check(topicOf('NDATA', undefined, 'e1'), data(2), 4_000).errors).toEqual([]);
  });

  it('rejects a cap that is not a positive integer', () => {
    expect(() => new SparkplugSessionTracker({ maxEdgeNodes: 0 })).toThrow(RangeError);
  });
});
