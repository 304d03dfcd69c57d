import { contractVersion, measurePlantTraffic, WORKLOAD } from '../../scripts/cost/workload';

describe('the plant traffic measured by running the simulator and the flatteners', () => {
  const workload = {
    ...WORKLOAD,
    cellsPerPlant: 2,
    measuredSeconds: 5,
    minorMessagesPerPlantPerSecond: 0,
  };
  const traffic = measurePlantTraffic(workload, 16);

  it('counts a telemetry block per cell, signal and 100 ms, each of 100 samples', () => {
    expect(traffic.telemetry.perSecond).toBe(2 * 6 * 10);
    expect(traffic.telemetry.rowsPerMessage).toBe(100);
  });

  it('counts an anomaly score per stride of samples per asset', () => {
    expect(traffic.scores.perSecond).toBeCloseTo((2 * 1000) / 16, 0);
    expect(traffic.scores.rowsPerMessage).toBe(1);
  });

  it('packs the telemetry rows 500 to a Firehose record', () => {
    expect(traffic.telemetry.rowsPerFirehoseRecord).toBe(500);
  });

  it('finds the flattened rows many times the bytes the bridge sends', () => {
    const rowBytesPerMessage = traffic.telemetry.rowsPerMessage * traffic.telemetry.rowBytes;
    expect(rowBytesPerMessage).toBeGreaterThan(20 * traffic.telemetry.kafkaBytes);
  });

  it('measures states and inspections, and adds the minor messages at their size', () => {
    expect(traffic.events.perSecond).toBeGreaterThan(0);
    const withMinor = measurePlantTraffic({ ...workload, minorMessagesPerPlantPerSecond: 0.5 }, 16);
    expect(withMinor.events.perSecond).toBeCloseTo(traffic.events.perSecond + 0.5);
    expect(withMinor.events.kafkaBytes).toBe(traffic.events.kafkaBytes);
  });

  it('measures the same again: the simulation is seeded', () => {
    expect(measurePlantTraffic(workload, 16)).toEqual(traffic);
  });

  it('reads the contract version from the AsyncAPI document', () => {
    expect(contractVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
