import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ignoreCfnLintRule } from '../network/cfn-lint';

const REPOSITORY_ROOT = join(__dirname, '..', '..');

/** Properties of {@link workspaceFunction}: a function's own settings, not how it is built. */
export interface WorkspaceFunctionProps extends Omit<
  nodejs.NodejsFunctionProps,
  'entry' | 'projectRoot' | 'depsLockFilePath' | 'runtime' | 'architecture' | 'bundling'
> {
  /** The npm workspace under `lambdas/`, whose `src/main.ts` exports `handler`. */
  readonly workspace: string;
  /**
   * The entry file under the workspace's `src/`, for a workspace that serves several functions.
   * @default 'main.ts'
   */
  readonly entryFile?: string;
  /**
   * Bundle the AWS SDK v3 packages instead of using the runtime's copy, for code whose
   * dependencies import SDK packages at versions of their own.
   * @default false
   */
  readonly bundleAwsSdk?: boolean;
  /**
   * Files or folders copied into the bundle after esbuild, e.g. SQL migrations the handler reads
   * beside `index.js`. Each `from` is a path (absolute, or relative to the repository root); each
   * `to` is a path inside the bundle. They count in the asset hash, so a changed file redeploys.
   * @default - the bundle holds only what esbuild produces.
   */
  readonly copyIntoBundle?: readonly BundleCopy[];
  /**
   * Which `package.json` fields esbuild resolves packages by, in order; `['module', 'main']` for
   * packages whose `main` is a UMD bundle that esbuild cannot follow (the AsyncAPI parser's
   * dependencies).
   * @default - esbuild's order for Node.js (`main`, then `module`).
   */
  readonly mainFields?: readonly string[];
}

/** One file or folder copied into a function's bundle by {@link workspaceFunction}. */
export interface BundleCopy {
  /** The file or folder to copy: absolute, or relative to the repository root. */
  readonly from: string;
  /** Where it lands in the bundle, relative to its root (beside `index.js`), e.g. `migrations`. */
  readonly to: string;
}

/**
 * A Lambda function from one `lambdas/<workspace>` npm workspace, bundled by the CDK with the
 * project's local esbuild against the root lockfile (no Docker), minified with source maps, on
 * Node.js 24 on arm64: the newest runtime, which the compliance tests require.
 */
export function workspaceFunction(
  scope: Construct,
  id: string,
  props: WorkspaceFunctionProps,
): nodejs.NodejsFunction {
  const {
    workspace,
    entryFile = 'main.ts',
    bundleAwsSdk,
    copyIntoBundle = [],
    mainFields,
    ...functionProps
  } = props;
  return new nodejs.NodejsFunction(scope, id, {
    ...functionProps,
    entry: join(REPOSITORY_ROOT, 'lambdas', workspace, 'src', entryFile),
    projectRoot: REPOSITORY_ROOT,
    depsLockFilePath: join(REPOSITORY_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    bundling: {
      minify: true,
      sourceMap: true,
      target: 'node24',
      forceDockerBundling: false,
      ...(bundleAwsSdk === true && { bundleAwsSDK: true }),
      ...(mainFields !== undefined && { mainFields: [...mainFields] }),
      ...(copyIntoBundle.length > 0 && {
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) =>
            copyIntoBundle.map((copy) => bundleCopyCommand(copy, outputDir)),
        },
      }),
    },
  });
}

/**
 * The shell command copying one file or folder into a bundle: a folder's contents land in `to`,
 * a file becomes `to`. Missing sources fail the bundling, and so the synthesis.
 */
export function bundleCopyCommand(copy: BundleCopy, outputDir: string): string {
  const from = isAbsolute(copy.from) ? copy.from : join(REPOSITORY_ROOT, copy.from);
  const to = normalize(copy.to);
  if (isAbsolute(to) || to === '.' || to.startsWith('..')) {
    throw new Error(`copyIntoBundle: "to" (${copy.to}) must be a path inside the bundle`);
  }
  const target = join(outputDir, to);
  const [source, destination, parent] = [from, target, dirname(target)].map(shellQuote);
  return `if [ -d ${source} ]; then mkdir -p ${destination} && cp -R ${shellQuote(`${from}/.`)} ${destination}; else mkdir -p ${parent} && cp ${source} ${destination}; fi`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * What Lambda needs to attach a function to the VPC: create, describe and delete its network
 * interfaces. EC2 offers no narrower resource than `*` for these actions (acknowledge
 * `AwsSolutions-IAM5[Resource::*]` where the statement is used, with the function's reason).
 */
export function vpcNetworkInterfacesStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ManageVpcNetworkInterfaces',
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
      'ec2:DescribeSubnets',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeVpcs',
    ],
    resources: ['*'],
  });
}

/**
 * Makes a VPC function wait for the managed policy holding its network-interface rights: Lambda
 * checks them when it creates the function. CDK's own dependency on the role is then redundant
 * (cfn-lint W3005), which is deliberate here.
 */
export function waitForPolicy(fn: lambda.IFunction, policy: iam.ManagedPolicy): void {
  fn.node.addDependency(policy);
  ignoreCfnLintRule(fn.node.defaultChild as CfnResource, 'W3005');
}

/** Properties of {@link functionAccess} and {@link vpcFunctionAccess}. */
export interface FunctionAccessProps {
  /** Key of the function's log group; CloudWatch Logs must be allowed to use it. */
  readonly logKey: kms.IKey;
  /** What happens to the log group when the stack is deleted. Required, no default. */
  readonly removalPolicy: RemovalPolicy;
  /** IAM description of the function's role. Required, no default. */
  readonly roleDescription: string;
  /** IAM description of the function's managed policy. Required, no default. */
  readonly policyDescription: string;
  /** The function's own rights; writing its logs (and managing VPC interfaces) is added. */
  readonly statements: iam.PolicyStatement[];
}

/** The role, log group and managed policy of one function. */
export interface FunctionAccess {
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly policy: iam.ManagedPolicy;
}

/**
 * A function's execution role (no AWS managed policies), its log group (encrypted with the log
 * key, kept one year) and one managed policy: the given statements and writing to that log group
 * only. Constructs are named `<prefix>Logs`, `<prefix>Role` and `<prefix>Policy`.
 */
export function functionAccess(
  scope: Construct,
  prefix: string,
  props: FunctionAccessProps,
  platformStatements: iam.PolicyStatement[] = [],
): FunctionAccess {
  const logGroup = new logs.LogGroup(scope, `${prefix}Logs`, {
    encryptionKey: props.logKey,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: props.removalPolicy,
  });
  const role = new iam.Role(scope, `${prefix}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  const policy = new iam.ManagedPolicy(scope, `${prefix}Policy`, {
    description: props.policyDescription,
    roles: [role],
    statements: [
      ...props.statements,
      new iam.PolicyStatement({
        sid: 'WriteFunctionLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
      ...platformStatements,
    ],
  });
  return { role, logGroup, policy };
}

/**
 * {@link functionAccess} for a function in the VPC: the managed policy also manages the VPC
 * network interfaces. Its `Resource::*` finding (network interfaces) is left to the caller to
 * acknowledge with the function's reason.
 */
export function vpcFunctionAccess(
  scope: Construct,
  prefix: string,
  props: FunctionAccessProps,
): FunctionAccess {
  return functionAccess(scope, prefix, props, [vpcNetworkInterfacesStatement()]);
}
