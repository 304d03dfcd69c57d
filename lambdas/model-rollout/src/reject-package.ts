import { type SageMakerClient, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { RejectPackageEvent, RejectPackageResult } from './contract';

/** The longest approval description the model registry keeps. */
export const MAX_APPROVAL_DESCRIPTION = 1024;

/** Dependencies of {@link createRejectPackageHandler}; tests pass their own. */
export interface RejectPackageDependencies {
  readonly sagemaker: SageMakerClient;
  readonly logger: Logger;
}

/**
 * The `rejectPackage` handler: sets the package's approval status to Rejected with the reason as
 * its approval description (cut to the registry's limit, with an ellipsis), so the registry shows
 * why the model never reached the plants. A Rejected package does not start a rollout again.
 *
 * @throws Error on AWS errors (Step Functions retries; the update is idempotent).
 */
export function createRejectPackageHandler(
  deps: RejectPackageDependencies,
): (event: RejectPackageEvent) => Promise<RejectPackageResult> {
  return async ({ modelPackageArn, reason }) => {
    const approvalDescription =
      reason.length <= MAX_APPROVAL_DESCRIPTION
        ? reason
        : `${reason.slice(0, MAX_APPROVAL_DESCRIPTION - 1)}…`;
    await deps.sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: modelPackageArn,
        ModelApprovalStatus: 'Rejected',
        ApprovalDescription: approvalDescription,
      }),
    );
    deps.logger.info('Model package rejected', { modelPackageArn, reason });
    return { modelPackageArn, modelApprovalStatus: 'Rejected', approvalDescription };
  };
}
