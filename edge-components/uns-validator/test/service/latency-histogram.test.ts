import { Histogram, Registry } from 'prom-client';
import { LatencyHistogram } from '../../src/service/latency-histogram';

describe('the latency histogram', () => {
  it('is exposed exactly as a prom-client histogram, before and after the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const options = { name: 'x_seconds', help: 'latency', buckets: [0.001, 0.01, 0.1] };
    const latency = new LatencyHistogram({ ...options, registers: [ours] });
    const reference = new Histogram({ ...options, registers: [theirs] });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    for (const value of [0.0005, 0.001, 0.002, 0.01, 0.05, 0.1, 0.5, 3]) {
      latency.observe(value);
      reference.observe(value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
