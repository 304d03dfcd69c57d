/**
 * The frame of `uns-mlops`: help, the environment and region it works on, and how it fails: every
 * error names what went wrong and the fix in one line, with a non-zero exit code.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListModelPackagesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, cli, cloudformation, deployAllStacks } from './support';

const sagemaker = mockClient(SageMakerClient);

beforeEach(() => {
  cloudformation.reset();
  sagemaker.reset();
  sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
});

const describedStacks = () =>
  cloudformation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input.StackName);

describe('help', () => {
  it('lists every command and the global options with --help, exit 0', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const text of [
      'status',
      'models',
      'query',
      'lake',
      'plant-config',
      '-c env=<name>',
      '--region <region>',
      '--json',
    ]) {
      expect(stdout).toContain(text);
    }
  });

  it('prints the help on standard error and exits 2 when no command is given', async () => {
    const { code, stdout, stderr } = await cli([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Usage: uns-mlops <command>');
  });

  it("shows a command's usage and options with <command> --help, without calling AWS", async () => {
    const { code, stdout } = await cli(['models', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('uns-mlops models approve <version> --reason "<why>"');
    expect(stdout).toContain('--yes');
    expect(cloudformation.calls()).toHaveLength(0);
  });

  it('answers `help <command>` like `<command> --help`', async () => {
    expect((await cli(['help', 'query'])).stdout).toBe((await cli(['query', '--help'])).stdout);
  });
});

describe('the environment', () => {
  it('works on dev, in its account and region, when no -c env= is given', async () => {
    deployAllStacks();
    const { code, stdout } = await cli(['models', 'list']);
    expect(code).toBe(0);
    expect(stdout).toContain('(dev, eu-central-1)');
    expect(describedStacks()).toEqual(['UnsMlops-Dev-MlPipeline']);
  });

  it('takes the environment from -c env=<name>, as cdk deploy does', async () => {
    deployAllStacks();
    const { stdout } = await cli(['models', 'list', '-c', 'env=prod']);
    expect(stdout).toContain('(prod, eu-central-1)');
    expect(describedStacks()).toEqual(['UnsMlops-Prod-MlPipeline']);
  });

  it('calls AWS in the region given with --region', async () => {
    deployAllStacks();
    const { stdout } = await cli(['models', 'list', '-c', 'env=prod', '--region', 'eu-west-1']);
    expect(stdout).toContain('(prod, eu-west-1)');
    const client = cloudformation.call(0).thisValue as {
      config: { region: () => Promise<string> };
    };
    expect(await client.config.region()).toBe('eu-west-1');
  });

  it('refuses an unknown environment, naming the known ones, exit 2', async () => {
    const { code, stderr } = await cli(['status', '-c', 'env=staging']);
    expect(code).toBe(2);
    expect(stderr).toContain('error: Unknown environment "staging"');
    expect(stderr).toContain(
      'fix: known environments: dev, prod; add one to lib/config/environments.ts',
    );
    expect(cloudformation.calls()).toHaveLength(0);
  });

  it('refuses a context value other than env=, exit 2', async () => {
    const { code, stderr } = await cli(['status', '-c', 'stage=prod']);
    expect(code).toBe(2);
    expect(stderr).toContain('fix: The only context value is the environment: -c env=<name>.');
  });
});

describe('a wrong command line exits 2 with the fix', () => {
  it('names the commands for an unknown one', async () => {
    const { code, stderr } = await cli(['stauts']);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'error: Unknown command "stauts".\n  fix: The commands are status, models, query, lake, plant-config; run `uns-mlops --help`.\n',
    );
  });

  it("points to the command's help for an unknown option", async () => {
    const { code, stderr } = await cli(['status', '--verbose']);
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--verbose'");
    expect(stderr).toContain('fix: Run `uns-mlops status --help` for its options.');
  });

  it('refuses an option without its value', async () => {
    const { code, stderr } = await cli(['query', '--sql']);
    expect(code).toBe(2);
    expect(stderr).toContain("Option '--sql <value>' argument missing");
  });
});

describe('AWS errors exit 1 with the fix in one line', () => {
  it('no credentials: sign in', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(
        awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
      );
    const { code, stderr } = await cli(['models', 'list', '-c', 'env=prod']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'error: No AWS credentials found for environment "prod" (account 222222222222).\n' +
        '  fix: Sign in first, e.g. `aws sso login --profile <profile>` and `export AWS_PROFILE=<profile>`.\n',
    );
  });

  it('expired credentials: sign in again', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(awsError('ExpiredToken', 'The security token included in the request is expired'));
    const { code, stderr } = await cli(['status']);
    expect(code).toBe(1);
    expect(stderr).toContain('fix: Sign in again');
  });

  it("credentials AWS does not know: use the environment's account", async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(
        awsError('InvalidClientTokenId', 'The security token included in the request is invalid.'),
      );
    const { stderr } = await cli(['status', '-c', 'env=prod']);
    expect(stderr).toContain('fix: Use credentials of account 222222222222');
  });

  it('access denied: use an operator role of the account', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(
        awsError('AccessDenied', 'User: arn:aws:iam::222222222222:user/x is not authorized'),
      );
    const { code, stderr } = await cli(['status', '-c', 'env=prod']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: Access denied: User: arn:aws:iam::222222222222:user/x');
    expect(stderr).toContain(
      'fix: Use a role of account 222222222222 allowed to operate uns-mlops',
    );
  });

  it('a region that does not resolve: check --region', async () => {
    cloudformation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('getaddrinfo ENOTFOUND cloudformation.eu-centrl-1.amazonaws.com'), {
        code: 'ENOTFOUND',
      }),
    );
    const { code, stderr } = await cli(['models', 'list', '--region', 'eu-centrl-1']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: Cannot reach AWS in region "eu-centrl-1"');
  });

  it('environment not deployed: the missing stack, and how to deploy it', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(
        awsError('ValidationError', 'Stack with id UnsMlops-Prod-MlPipeline does not exist'),
      );
    const { code, stderr } = await cli(['models', 'list', '-c', 'env=prod']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'error: Environment "prod" is not deployed in eu-central-1: stack UnsMlops-Prod-MlPipeline does not exist.\n' +
        '  fix: Deploy it (npx cdk deploy -c env=prod UnsMlops-Prod-MlPipeline), or check that the credentials are for account 222222222222.\n',
    );
  });

  it('wrong region: the region the environment lives in', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(
        awsError('ValidationError', 'Stack with id UnsMlops-Prod-MlPipeline does not exist'),
      );
    const { stderr } = await cli(['models', 'list', '-c', 'env=prod', '--region', 'us-east-1']);
    expect(stderr).toContain('is not deployed in us-east-1');
    expect(stderr).toContain(
      'fix: The environment lives in eu-central-1: drop --region us-east-1, or deploy it there.',
    );
  });

  it('any other AWS error: its code and message, exit 1', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const { code, stderr } = await cli(['models', 'list']);
    expect(code).toBe(1);
    expect(stderr).toBe('error: ThrottlingException: Rate exceeded\n');
  });
});
