import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './support/app';
import { synthesizedApp } from './support/assembly';
import { cdkSynth, userEnvironment } from './support/cdk-cli';

/** Runs `npm run rollout:plan` in `cwd` as a user would, without AWS credentials. */
function rolloutPlan(cwd: string, ...args: string[]) {
  return spawnSync(
    'npm',
    ['run', '--silent', '--prefix', REPOSITORY_ROOT, 'rollout:plan', '--', ...args],
    {
      cwd,
      encoding: 'utf8',
      env: userEnvironment(),
    },
  );
}

/** The stacks, Lakehouse resources and rollout plans `cdk synth -c env=<name>` writes to `outdir`. */
function expectEnvironmentWritten(outdir: string, name: string): void {
  const templates = readdirSync(outdir).filter((file) => file.endsWith('.template.json'));
  const prefix = `UnsMlops-${name[0]!.toUpperCase()}${name.slice(1)}`;
  expect(templates).toEqual(
    expect.arrayContaining(
      [
        'Lakehouse',
        'MlPipeline',
        'Network',
        'ComplianceStore',
        'Streaming',
        'EdgeFleet',
        'Edge-canary',
      ].map((part) => `${prefix}-${part}.template.json`),
    ),
  );
  const resourceTypes = new Set(
    Object.values(
      JSON.parse(readFileSync(join(outdir, `${prefix}-Lakehouse.template.json`), 'utf8'))
        .Resources as Record<string, { Type: string }>,
    ).map((resource) => resource.Type),
  );
  for (const type of [
    'AWS::S3::Bucket',
    'AWS::KMS::Key',
    'AWS::Glue::Database',
    'AWS::Glue::Table',
    'AWS::Athena::WorkGroup',
    'AWS::LakeFormation::DataLakeSettings',
    'AWS::LakeFormation::Resource',
    'AWS::LakeFormation::Tag',
    'AWS::LakeFormation::TagAssociation',
    'AWS::LakeFormation::PrincipalPermissions',
  ]) {
    expect(resourceTypes).toContain(type);
  }
  expect(readdirSync(outdir)).not.toContain('cdk.context.json');
  expect(templates).toContain('UnsMlops-Delivery.template.json');
  expect(readdirSync(outdir)).toEqual(
    expect.arrayContaining(['rollout-plan.dev.json', 'rollout-plan.prod.json']),
  );
}

describe('cdk synth', () => {
  // The run's synthesis of each environment, which the other test files read, is `cdk synth` as a
  // user runs it, without AWS credentials (test/support/assembly.ts).
  it.each(['dev', 'prod'])(
    'writes the %s templates without AWS credentials or context lookups',
    async (name) => {
      const synthesized = await synthesizedApp(name);
      expect(synthesized.assembly.manifest.missing ?? []).toEqual([]);
      expectEnvironmentWritten(synthesized.directory, name);
    },
  );

  it('fails with one clear message for an unknown environment', () => {
    const synth = cdkSynth(mkdtempSync(join(tmpdir(), 'cdk-out-')), '-c', 'env=staging');
    expect(synth.status).not.toBe(0);
    expect(synth.stderr).toContain(
      'Unknown environment "staging" (selected with -c env=<name>).\n  - known environments: dev, prod',
    );
    expect(synth.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('npm run rollout:plan', () => {
  it.each([
    ['dev', ['1. canary: uns-mlops-dev-canary (site zwickau', '2. wave-1: uns-mlops-dev-zwickau']],
    [
      'prod',
      [
        '1. canary: uns-mlops-prod-canary',
        '2. wave-1: uns-mlops-prod-zwickau',
        '3. wave-2: uns-mlops-prod-mlada-boleslav',
      ],
    ],
  ])('prints which versions go where in %s, without AWS access', (name, order) => {
    const plan = rolloutPlan(REPOSITORY_ROOT, '-c', `env=${name}`);
    expect(plan.stderr).toBe('');
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain(`Rollout plan for ${name}`);
    for (const component of [
      'io.unsmlops.UnsValidator',
      'io.unsmlops.AnomalyInference',
      'io.unsmlops.UnsKafkaBridge',
      'io.unsmlops.WeldSeamAnomalyModel',
    ]) {
      expect(plan.stdout).toMatch(
        new RegExp(`${component.replaceAll('.', '\\.')} +\\d+\\.\\d+\\.\\d+`),
      );
    }
    for (const step of order) expect(plan.stdout).toContain(step);
  });
});
