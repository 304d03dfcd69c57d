import { parseUnsTopic } from '../src/uns-topics';
import { siteTopics } from './events';

describe('parseUnsTopic', () => {
  it('reads the kind and site of every address the validator and the inference runtime publish on, as the contract defines them', () => {
    const topics = siteTopics('mlada-boleslav');
    expect(
      Object.fromEntries(
        Object.entries(topics).map(([name, topic]) => [name, parseUnsTopic(topic)]),
      ),
    ).toEqual({
      validation: { kind: 'validation-summary', site: 'mlada-boleslav' },
      violations: { kind: 'violation-sample', site: 'mlada-boleslav' },
      contracts: { kind: 'contracts-in-force', site: 'mlada-boleslav' },
      score: { kind: 'anomaly-score', site: 'mlada-boleslav' },
      shadow: { kind: 'shadow-score', site: 'mlada-boleslav' },
      event: { kind: 'anomaly-event', site: 'mlada-boleslav' },
      drift: { kind: 'model-drift', site: 'mlada-boleslav' },
      status: { kind: 'model-status', site: 'mlada-boleslav' },
    });
  });

  it("takes the validator's quarantine envelopes as such, whatever their original topic", () => {
    expect(
      parseUnsTopic('_quarantine/acme/zwickau/body-shop/body-weld-1/cell-010/welder-1/state'),
    ).toEqual({
      kind: 'quarantine',
    });
    expect(parseUnsTopic('_quarantine/spBv1.0/welding/DDATA/edge-1/welder-1')).toEqual({
      kind: 'quarantine',
    });
  });

  it.each([
    ['telemetry', 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1/telemetry/arc_current'],
    ['asset state', 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1/state'],
    [
      'a model result of another suffix',
      'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1/_ml/m/debug',
    ],
    ['a site-level model topic other than status', 'acme/zwickau/_ml/weld-seam-anomaly/config'],
    ['a site that is no site id', 'acme/Zwickau Plant/_validation'],
    ['another topic below the validation summaries', 'acme/zwickau/_validation/other'],
    ['an empty level', 'acme/zwickau/body-shop//cell-010/welder-1/_ml/weld-seam-anomaly'],
    ['Sparkplug', 'spBv1.0/welding/NDATA/edge-1'],
  ])('knows no other topic: %s', (_, topic) => {
    expect(parseUnsTopic(topic)).toBeUndefined();
  });
});
