import {
  ListPipelineExecutionsCommand,
  type ListPipelineExecutionsRequest,
  type PipelineExecutionStatus,
  type PipelineExecutionSummary,
  SageMakerClient,
  StartPipelineExecutionCommand,
  type StartPipelineExecutionRequest,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';

export const sagemaker = mockClient(SageMakerClient);

export const PIPELINE = 'uns-mlops-anomaly-autoencoder';

/**
 * One SageMaker pipeline's executions, in memory: StartPipelineExecution adds one at the clock's
 * time (a repeated client token returns the first execution, as SageMaker does), and
 * ListPipelineExecutions answers with SageMaker's filter and order.
 */
export class FakePipeline {
  readonly executions: PipelineExecutionSummary[] = [];
  readonly startRequests: StartPipelineExecutionRequest[] = [];
  private readonly byToken = new Map<string, PipelineExecutionSummary>();

  constructor(private readonly clock: () => Date) {
    sagemaker.reset();
    sagemaker
      .on(StartPipelineExecutionCommand)
      .callsFake((input: StartPipelineExecutionRequest) => {
        if (input.PipelineName !== PIPELINE) throw new Error(`no pipeline ${input.PipelineName}`);
        this.startRequests.push(input);
        const token = input.ClientRequestToken;
        const same = token === undefined ? undefined : this.byToken.get(token);
        if (same) return { PipelineExecutionArn: same.PipelineExecutionArn };
        const execution = this.add(this.clock(), 'Executing', input.PipelineExecutionDisplayName);
        if (token !== undefined) this.byToken.set(token, execution);
        return { PipelineExecutionArn: execution.PipelineExecutionArn };
      });
    sagemaker
      .on(ListPipelineExecutionsCommand)
      .callsFake((input: ListPipelineExecutionsRequest) => {
        const after = input.CreatedAfter?.getTime() ?? -Infinity;
        const found = this.executions
          .filter(
            (execution) =>
              input.PipelineName === PIPELINE && execution.StartTime!.getTime() > after,
          )
          .sort((a, b) =>
            input.SortOrder === 'Ascending'
              ? a.StartTime!.getTime() - b.StartTime!.getTime()
              : b.StartTime!.getTime() - a.StartTime!.getTime(),
          );
        return { PipelineExecutionSummaries: found.slice(0, input.MaxResults ?? 10) };
      });
  }

  /** An execution that started at `time` (e.g. the weekly schedule's), in `status` now. */
  add(
    time: Date,
    status: PipelineExecutionStatus,
    displayName = 'execution',
  ): PipelineExecutionSummary {
    const execution = {
      PipelineExecutionArn: `arn:aws:sagemaker:eu-central-1:111122223333:pipeline/${PIPELINE}/execution/${this.executions.length + 1}`,
      StartTime: time,
      PipelineExecutionStatus: status,
      PipelineExecutionDisplayName: displayName,
    };
    this.executions.push(execution);
    return execution;
  }
}
