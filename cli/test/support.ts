import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  GetBootstrapBrokersCommand,
  KafkaClient,
  ListClustersV2Command,
} from '@aws-sdk/client-kafka';
import { mockClient } from 'aws-sdk-client-mock';
import { run } from '../src/cli';
import type { Io } from '../src/io';

/** What one run of the command line printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The questions it asked. */
  readonly asked: readonly string[];
}

/** How the recording terminal behaves. */
export interface TerminalOptions {
  /** Whether standard error is a terminal (progress is shown). @default false */
  readonly tty?: boolean;
  /** The answers typed to the questions asked, in order; a person is at the terminal when given. */
  readonly answers?: readonly string[];
}

/** Runs `uns-mlops` with `args` against a recording terminal; AWS is whatever the test mocked. */
export async function cli(args: readonly string[], options: TerminalOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const asked: string[] = [];
  const answers = [...(options.answers ?? [])];
  let clock = Date.parse('2026-12-05T10:00:00Z');
  const io: Io = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    stderrIsTty: options.tty ?? false,
    stdinIsTty: options.answers !== undefined,
    ask: (question) => {
      asked.push(question);
      return Promise.resolve(answers.shift() ?? '');
    },
    // Polls pass time without waiting for it.
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
    now: () => clock,
  };
  const code = await run(args, io);
  return { code, stdout, stderr, asked };
}

/** CloudFormation, stubbed for every test file that imports this module. */
export const cloudformation = mockClient(CloudFormationClient);

/** MSK, stubbed for every test file that imports this module. */
export const kafka = mockClient(KafkaClient);

/** The ARN and IAM bootstrap brokers of the environment's cluster in {@link cluster}. */
export const CLUSTER_ARN = 'arn:aws:kafka:eu-central-1:222222222222:cluster/uns-mlops/abcd-1234';
export const BROKERS =
  'b-1.uns-mlops.abcd.c2.kafka.eu-central-1.amazonaws.com:9098,b-2.uns-mlops.abcd.c2.kafka.eu-central-1.amazonaws.com:9098';

/** Makes the environment's MSK cluster (provisioned) exist in `state`, with its brokers. */
export function cluster(state: string): void {
  kafka.on(ListClustersV2Command).resolves({
    ClusterInfoList: [
      {
        ClusterName: 'uns-mlops',
        ClusterArn: CLUSTER_ARN,
        State: state as 'ACTIVE',
        ClusterType: 'PROVISIONED',
      },
    ],
  });
  kafka.on(GetBootstrapBrokersCommand).resolves({ BootstrapBrokerStringSaslIam: BROKERS });
}

/** Makes every stack asked for by name exist, deployed and up to date. */
export function deployAllStacks(): void {
  cloudformation.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => ({
    Stacks: [
      {
        StackName: input.StackName,
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-12-01T09:00:00Z'),
      },
    ],
  }));
}

/** An AWS SDK service error as the clients throw it: `name` is the error code. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}
