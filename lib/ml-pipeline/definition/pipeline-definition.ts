import { referencesIn } from './expressions';
import type { ParameterDefinition, PipelineParameter } from './parameters';
import type { Step, StepDefinition } from './steps';

/** The definition document SageMaker Pipelines runs. */
export interface PipelineDefinitionDocument {
  readonly Version: '2020-12-01';
  readonly Metadata: Record<string, never>;
  readonly Parameters: readonly ParameterDefinition[];
  readonly PipelineExperimentConfig: {
    readonly ExperimentName: { readonly Get: 'Execution.PipelineName' };
    readonly TrialName: { readonly Get: 'Execution.PipelineExecutionId' };
  };
  readonly Steps: readonly StepDefinition[];
}

/** Execution variables a definition may reference (`Execution.<name>`). */
const EXECUTION_VARIABLES = new Set([
  'PipelineExecutionId',
  'PipelineExecutionArn',
  'PipelineName',
  'PipelineArn',
  'CurrentDateTime',
  'StartDateTime',
]);

/**
 * A pipeline definition built from typed parameters and steps. The constructor checks that names
 * are unique and that every reference (`Get`) names a declared parameter, another declared step or
 * an execution variable, and throws once listing every problem. Each execution is tracked as a
 * SageMaker Experiments trial of the pipeline (code, data, hyperparameters and metrics per run).
 */
export class PipelineDefinition {
  constructor(
    readonly parameters: readonly PipelineParameter[],
    readonly steps: readonly Step[],
  ) {
    const problems = definitionProblems(parameters, steps);
    if (problems.length > 0) {
      throw new Error(
        `Invalid pipeline definition:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
      );
    }
  }

  toJson(): PipelineDefinitionDocument {
    return {
      Version: '2020-12-01',
      Metadata: {},
      Parameters: this.parameters.map((parameter) => parameter.toJson()),
      PipelineExperimentConfig: {
        ExperimentName: { Get: 'Execution.PipelineName' },
        TrialName: { Get: 'Execution.PipelineExecutionId' },
      },
      Steps: this.steps.map((step) => step.toJson()),
    };
  }
}

function allSteps(steps: readonly Step[]): Step[] {
  return steps.flatMap((step) => [step, ...allSteps(step.nestedSteps)]);
}

function definitionProblems(
  parameters: readonly PipelineParameter[],
  steps: readonly Step[],
): string[] {
  const problems: string[] = [];
  const parameterNames = parameters.map((parameter) => parameter.name);
  const declared = allSteps(steps);
  const stepNames = declared.map((step) => step.name);
  for (const [kind, names] of [
    ['parameter', parameterNames],
    ['step', stepNames],
  ] as const) {
    for (const name of new Set(names.filter((n, index) => names.indexOf(n) !== index))) {
      problems.push(`${kind} name ${JSON.stringify(name)} is used more than once`);
    }
  }
  for (const step of declared) {
    const own = { ...step.toJson(), Arguments: ownArguments(step) };
    for (const reference of referencesIn(own)) {
      const [root, name] = reference.split('.', 2) as [string, string | undefined];
      const known =
        (root === 'Parameters' && parameterNames.includes(name ?? '')) ||
        (root === 'Steps' && name !== step.name && stepNames.includes(name ?? '')) ||
        (root === 'Execution' && EXECUTION_VARIABLES.has(name ?? ''));
      if (!known) {
        problems.push(
          `step ${step.name} references ${JSON.stringify(reference)}, which is not a declared parameter, another step or an execution variable`,
        );
      }
    }
  }
  return problems;
}

/** A step's arguments without its nested steps (they are checked as steps of their own). */
function ownArguments(step: Step): object {
  const args = step.toJson().Arguments as Record<string, unknown>;
  if (step.nestedSteps.length === 0) return args;
  return Object.fromEntries(
    Object.entries(args).filter(([key]) => key !== 'IfSteps' && key !== 'ElseSteps'),
  );
}
