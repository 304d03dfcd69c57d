import { Token } from 'aws-cdk-lib';

/**
 * Account of the AWS Deep Learning Containers registry in each region this project supports
 * (from the DLC "available images" list and the SageMaker Python SDK's `image_uri_config`).
 * Regions that opt in to AWS use their own registry account; add a region here after checking its
 * account in that list.
 */
export const DLC_REGISTRY_ACCOUNTS = {
  'us-east-1': '763104351884',
  'us-east-2': '763104351884',
  'us-west-1': '763104351884',
  'us-west-2': '763104351884',
  'ca-central-1': '763104351884',
  'sa-east-1': '763104351884',
  'eu-central-1': '763104351884',
  'eu-west-1': '763104351884',
  'eu-west-2': '763104351884',
  'eu-west-3': '763104351884',
  'eu-north-1': '763104351884',
  'eu-south-1': '692866216735',
  'eu-central-2': '380420809688',
  'ap-northeast-1': '763104351884',
  'ap-northeast-2': '763104351884',
  'ap-northeast-3': '364406365360',
  'ap-south-1': '763104351884',
  'ap-southeast-1': '763104351884',
  'ap-southeast-2': '763104351884',
  'ap-east-1': '871362719292',
  'me-south-1': '217643126080',
  'af-south-1': '626614931356',
} as const satisfies Record<string, string>;

/** A region with a known Deep Learning Containers registry. */
export type DlcRegion = keyof typeof DLC_REGISTRY_ACCOUNTS;

/** The PyTorch framework images the pipeline runs on (CPU, SageMaker flavour). */
export const PYTORCH_IMAGE_TAGS = {
  /** Training image; the processing steps run on it too, as the SageMaker SDK's PyTorchProcessor does. */
  training: '2.8.0-cpu-py312-ubuntu22.04-sagemaker',
  /** Inference image named in the registered model package. */
  inference: '2.6.0-cpu-py312-ubuntu22.04-sagemaker',
} as const;

/** The region's DLC registry account, or an error naming the supported regions. */
export function dlcRegistryAccount(region: string): string {
  if (Token.isUnresolved(region)) {
    throw new Error(
      'The SageMaker pipeline needs a concrete region to choose the Deep Learning Containers registry; give the stack an env with a region.',
    );
  }
  const account = (DLC_REGISTRY_ACCOUNTS as Record<string, string | undefined>)[region];
  if (account === undefined) {
    throw new Error(
      `No AWS Deep Learning Containers registry is configured for region ${JSON.stringify(region)}; supported regions: ${Object.keys(DLC_REGISTRY_ACCOUNTS).join(', ')} (add it to DLC_REGISTRY_ACCOUNTS in lib/ml-pipeline/images.ts).`,
    );
  }
  return account;
}

/** URI of a Deep Learning Containers image, e.g. `pytorch-training:<tag>` in the region. */
export function dlcImageUri(
  region: string,
  repository: 'pytorch-training' | 'pytorch-inference',
  tag: string,
): string {
  return `${dlcRegistryAccount(region)}.dkr.ecr.${region}.amazonaws.com/${repository}:${tag}`;
}

/** ARN of a Deep Learning Containers repository (for ECR pull permissions). */
export function dlcRepositoryArn(
  partition: string,
  region: string,
  repository: 'pytorch-training' | 'pytorch-inference',
): string {
  return `arn:${partition}:ecr:${region}:${dlcRegistryAccount(region)}:repository/${repository}`;
}
