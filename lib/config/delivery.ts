/**
 * The delivery pipeline: where it runs, where it takes the code from, and which environments it
 * deploys in which order. One pipeline per organisation; `npx cdk deploy UnsMlops-Delivery` once,
 * then every push to the branch goes through it.
 */

/** A repository reached through an AWS CodeConnections connection (GitHub, GitLab, Bitbucket). */
export interface ConnectionSource {
  readonly kind: 'connection';
  /** ARN of the connection, created and authorised once in the console. */
  readonly connectionArn: string;
  /** `owner/name` of the repository. */
  readonly repository: string;
  /** The branch whose pushes start the pipeline. */
  readonly branch: string;
}

/** An AWS CodeCommit repository in the pipeline's account. */
export interface CodeCommitSource {
  readonly kind: 'codecommit';
  /** The repository's name. */
  readonly repositoryName: string;
  /** The branch whose pushes start the pipeline. */
  readonly branch: string;
}

/** One environment the pipeline deploys, in order. */
export interface DeliveryStage {
  /** Name of an environment in lib/config/environments.ts. */
  readonly environment: string;
  /** Whether a person approves before the environment is deployed. */
  readonly manualApproval: boolean;
}

/** The delivery pipeline's configuration. */
export interface DeliveryConfig {
  /** 12-digit account the pipeline runs in (a tooling account, or one of the environments'). */
  readonly account: string;
  /** Region of the pipeline. */
  readonly region: string;
  /** Where the code comes from. */
  readonly source: ConnectionSource | CodeCommitSource;
  /** The environments in deployment order, with their approvals. */
  readonly stages: readonly DeliveryStage[];
  /**
   * Addresses subscribed by email to the pipeline's alert topic (`uns-mlops-delivery-alerts`), told
   * when a run fails (each confirms once).
   * @default - none: subscribe to the topic yourself.
   */
  readonly notificationEmails?: readonly string[];
}

/** This repository's delivery pipeline. Edit the account, source and stages to match yours. */
export const delivery: DeliveryConfig = {
  account: '333333333333',
  region: 'eu-central-1',
  source: {
    kind: 'connection',
    connectionArn:
      'arn:aws:codeconnections:eu-central-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
    repository: 'acme/uns-mlops',
    branch: 'main',
  },
  stages: [
    { environment: 'dev', manualApproval: false },
    { environment: 'prod', manualApproval: true },
  ],
};
