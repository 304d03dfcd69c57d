import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildComplianceApi } from './stacks';
import { cfnLint } from '../support/cfn-lint';

describe.each(['dev', 'prod'])('the %s compliance API stack', (name) => {
  // A fresh app: synthesis runs the compliance checks once, on the first synth.
  const built = buildComplianceApi(name);

  it('is named UnsMlops-<Env>-ComplianceApi and holds the users, the API and the dashboard', () => {
    expect(built.stack.stackName).toBe(`UnsMlops-${name === 'dev' ? 'Dev' : 'Prod'}-ComplianceApi`);
    const types = Object.values(built.template().toJSON().Resources).map((r: any) => r.Type);
    expect(types).toEqual(
      expect.arrayContaining([
        'AWS::Cognito::UserPool',
        'AWS::ApiGatewayV2::Api',
        'AWS::ApiGatewayV2::Authorizer',
        'AWS::CloudFront::Distribution',
        'AWS::CloudFront::OriginAccessControl',
      ]),
    );
  });

  it('synthesizes with no unacknowledged cdk-nag finding (AwsSolutions, NIST 800-53 rev 5)', () => {
    expect(() => built.synth()).not.toThrow();
  });

  it('gives every acknowledgement a specific reason', () => {
    const acknowledgements = built.stack.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>)),
      );
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect({ id, words: reason.split(/\s+/).length >= 12 }).toEqual({ id, words: true });
    }
  });

  it('passes cfn-lint with no error or warning', () => {
    expect(cfnLint(built.templateFiles(built.stack))).toEqual({
      status: 0,
      findings: '',
      error: '',
    });
  });

  if (name === 'dev') {
    it('matches the snapshot', () => {
      expect(Template.fromStack(built.stack).toJSON()).toMatchSnapshot();
    });
  }
});
