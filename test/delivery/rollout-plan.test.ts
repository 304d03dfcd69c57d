/** The rollout plan people read before they push: order, versions and what changed. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environments } from '../../lib/config/environments';
import {
  formatPlan,
  lastSynthesizedPlan,
  planChanges,
  rolloutPlan,
  savePlan,
} from '../../lib/delivery/rollout-plan';

const prod = environments.find((environment) => environment.name === 'prod')!;
const released = [
  { name: 'io.unsmlops.UnsValidator', version: '1.0.0' },
  { name: 'io.unsmlops.WeldSeamAnomalyModel', version: '1.0.0' },
];

describe('the rollout plan', () => {
  it('goes to the canary group first, then the plants wave by wave', () => {
    const plan = rolloutPlan(prod, released);
    expect(plan.steps.map((step) => [step.name, step.targets.map((t) => t.thingGroup)])).toEqual([
      ['canary', ['uns-mlops-prod-canary']],
      ['wave-1', ['uns-mlops-prod-zwickau']],
      ['wave-2', ['uns-mlops-prod-mlada-boleslav']],
    ]);
    expect(plan.steps[0]!.targets[0]!.siteId).toBe('zwickau');
  });

  it('names the components whose version changed since the last synthesized plan', () => {
    const before = rolloutPlan(prod, released);
    const after = rolloutPlan(prod, [
      { name: 'io.unsmlops.UnsValidator', version: '1.0.1' },
      { name: 'io.unsmlops.WeldSeamAnomalyModel', version: '1.0.0' },
      { name: 'io.unsmlops.UnsKafkaBridge', version: '1.0.0' },
    ]);
    expect(planChanges(before, after)).toEqual([
      'io.unsmlops.UnsValidator: 1.0.0 -> 1.0.1',
      'io.unsmlops.UnsKafkaBridge: new, 1.0.0',
    ]);
    expect(planChanges(after, after)).toEqual([]);
  });

  it('names a change of the rollout order', () => {
    const before = rolloutPlan(prod, released);
    const reordered = rolloutPlan(
      { ...prod, edgeRollout: { ...prod.edgeRollout, waves: [['zwickau', 'mlada-boleslav']] } },
      released,
    );
    expect(planChanges(before, reordered)).toEqual([
      'rollout order: [canary: uns-mlops-prod-canary; wave-1: uns-mlops-prod-zwickau; wave-2: uns-mlops-prod-mlada-boleslav] -> [canary: uns-mlops-prod-canary; wave-1: uns-mlops-prod-zwickau, uns-mlops-prod-mlada-boleslav]',
    ]);
  });

  it('is kept by synthesis and read back for the comparison', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'plan-'));
    expect(lastSynthesizedPlan(outdir, 'prod')).toBeUndefined();
    savePlan(outdir, rolloutPlan(prod, released));
    expect(lastSynthesizedPlan(outdir, 'prod')).toEqual(rolloutPlan(prod, released));
  });

  it('reads as the order, the versions, the limits and the changes', () => {
    const text = formatPlan(
      rolloutPlan(prod, [{ name: 'io.unsmlops.UnsValidator', version: '1.0.1' }]),
      rolloutPlan(prod, [{ name: 'io.unsmlops.UnsValidator', version: '1.0.0' }]),
    );
    expect(text).toContain('Rollout plan for prod (account 222222222222, eu-central-1)');
    expect(text).toContain('  io.unsmlops.UnsValidator  1.0.1');
    expect(text).toContain('each step bakes 30 min');
    expect(text).toContain('valid share >= 98 %');
    expect(text).toContain(
      '  3. wave-2: uns-mlops-prod-mlada-boleslav (site mlada-boleslav, broker mqtts://uns.mlada-boleslav.acme.example:8883)',
    );
    expect(text).toContain(
      'Changes since the last synthesized plan:\n  - io.unsmlops.UnsValidator: 1.0.0 -> 1.0.1',
    );
  });
});
