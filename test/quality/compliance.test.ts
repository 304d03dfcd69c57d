import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LakehouseStack } from '../../lib/stacks/lakehouse-stack';
import { ENVIRONMENT_NAMES } from '../support/app';
import { synthesizedApp, type SynthesizedApp } from '../support/assembly';
import { environmentApp } from '../support/environment-app';
import { newestNodeRuntime, outdatedNodeFunctions } from '../support/lambda-runtime';

interface Acknowledgment {
  path: string;
  id: string;
  reason: string;
}

/** Every acknowledgement synthesis wrote into the stacks' metadata, aspects' ones included. */
function acknowledgmentsIn({ assembly }: SynthesizedApp): Acknowledgment[] {
  return assembly.stacks.flatMap((stack) =>
    stack.findMetadataByType(Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((entry) =>
      Object.entries(entry.data as unknown as Record<string, string>).map(([id, reason]) => ({
        path: entry.path,
        id,
        reason,
      })),
    ),
  );
}

describe('compliance gates (cdk-nag AwsSolutions + NIST 800-53 rev 5)', () => {
  it.each(ENVIRONMENT_NAMES)(
    'synthesizes every %s stack with no unacknowledged finding',
    async (name) => {
      await expect(synthesizedApp(name)).resolves.toBeDefined();
    },
  );

  it('fails synthesis on an unacknowledged finding and names the rule and resource', () => {
    // The app's checks on one of its stacks: the rest of the app would add nothing but time.
    const dev = environmentApp('dev');
    const lakehouse = dev.addStack(LakehouseStack, 'Lakehouse', {});
    new s3.Bucket(lakehouse, 'UnencryptedScratch');

    expect(() => dev.synth()).toThrow(/UnsMlops-Dev-Lakehouse\/UnencryptedScratch/);
    const { outdir } = dev;
    const report = readFileSync(join(outdir, 'validation-report.json'), 'utf8');
    expect(report).toContain('AwsSolutions-S10');
    expect(report).toContain('NIST.800.53.R5-S3DefaultEncryptionKMS');
    expect(report).toContain('UnencryptedScratch');
    expect(report).not.toMatch(/Lakehouse\/(Storage|Governance|Personas)/);
  });

  it.each(ENVIRONMENT_NAMES)(
    'gives every acknowledgement in %s a specific reason',
    async (name) => {
      const acknowledgments = acknowledgmentsIn(await synthesizedApp(name));
      expect(acknowledgments.length).toBeGreaterThan(0);
      for (const { path, id, reason } of acknowledgments) {
        const specific = reason.split(/\s+/).length >= 12;
        expect({ path, id, reason, specific }).toEqual({ path, id, reason, specific: true });
        // cdk-nag rules, or cfn-lint rules that aws-cdk-lib's own constructs acknowledge (flow logs).
        expect(id).toMatch(
          /^(Annotation::)?(AwsSolutions-[A-Z]+\d+|NIST\.800\.53\.R5-\w+|CloudFormation-Validate::[EWF]\d+)(\[.+\])?$/,
        );
      }
    },
  );
});

describe('Lambda runtime gate', () => {
  it('knows the newest Node.js runtime of aws-cdk-lib', () => {
    expect(newestNodeRuntime().name).toMatch(/^nodejs\d+\.x$/);
    expect(Number(/\d+/.exec(newestNodeRuntime().name)![0])).toBeGreaterThanOrEqual(24);
  });

  it('reports a function on an older Node.js runtime', () => {
    const template = {
      Resources: {
        OldFn: {
          Type: 'AWS::Lambda::Function',
          Properties: { Runtime: lambda.Runtime.NODEJS_20_X.name },
        },
        NewFn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: newestNodeRuntime().name } },
        PyFn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.13' } },
      },
    };
    expect(outdatedNodeFunctions(template)).toEqual(['OldFn (nodejs20.x)']);
  });

  it.each(ENVIRONMENT_NAMES)(
    'finds every Node.js function of %s on the newest runtime',
    async (name) => {
      for (const path of (await synthesizedApp(name)).templateFiles()) {
        expect({
          path,
          outdated: outdatedNodeFunctions(JSON.parse(readFileSync(path, 'utf8'))),
        }).toEqual({
          path,
          outdated: [],
        });
      }
    },
  );
});
