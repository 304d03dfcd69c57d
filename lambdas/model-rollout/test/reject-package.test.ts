/**
 * rejectPackage against a stubbed registry: the package Rejected, with the reason the registry
 * shows beside it.
 */
import { SageMakerClient, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { createRejectPackageHandler, MAX_APPROVAL_DESCRIPTION } from '../src/reject-package';

const sagemaker = mockClient(SageMakerClient);
const PACKAGE_ARN =
  'arn:aws:sagemaker:eu-central-1:111111111111:model-package/uns-mlops-anomaly-autoencoder/7';

function reject() {
  return createRejectPackageHandler({
    sagemaker: new SageMakerClient({ region: 'eu-central-1' }),
    logger: new Logger({ serviceName: 'model-rollout-test', logLevel: 'SILENT' }),
  });
}

const updates = () =>
  sagemaker.commandCalls(UpdateModelPackageCommand).map((call) => call.args[0].input);

beforeEach(() => {
  sagemaker.reset();
  sagemaker.on(UpdateModelPackageCommand).resolves({ ModelPackageArn: PACKAGE_ARN });
});

describe('rejectPackage', () => {
  it('sets the package to Rejected with the reason as its approval description', async () => {
    const reason =
      'Model weld-seam-anomaly 20261205.101010-abcd1234 cannot read the telemetry of the UNS contract in force (UNS welding plant 1.4.0): Channel "arc_current" is in mA, but UNS welding plant 1.4.0 sends arc_current in A.';
    const result = await reject()({ modelPackageArn: PACKAGE_ARN, reason });
    expect(updates()).toEqual([
      {
        ModelPackageArn: PACKAGE_ARN,
        ModelApprovalStatus: 'Rejected',
        ApprovalDescription: reason,
      },
    ]);
    expect(result).toEqual({
      modelPackageArn: PACKAGE_ARN,
      modelApprovalStatus: 'Rejected',
      approvalDescription: reason,
    });
  });

  it("cuts a long reason to the registry's limit, marking the cut", async () => {
    const reason = 'Channel "x" is not a telemetry signal. '.repeat(40);
    const { approvalDescription } = await reject()({ modelPackageArn: PACKAGE_ARN, reason });
    expect(approvalDescription).toHaveLength(MAX_APPROVAL_DESCRIPTION);
    expect(approvalDescription.endsWith('…')).toBe(true);
    expect(updates()[0]!.ApprovalDescription).toBe(approvalDescription);
  });
});
