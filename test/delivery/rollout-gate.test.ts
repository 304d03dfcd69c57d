/**
 * The rollout gate's state machine, as synthesized: a valid Amazon States Language definition
 * (checked with asl-validator) that bakes, evaluates until a decision, records the last good
 * versions on PROMOTE, and on ROLLBACK redeploys them, notifies and fails.
 */
import aslValidator from 'asl-validator';
import { synthesizedApp } from '../support/assembly';
import { renderTemplateString } from '../support/templates';

interface StateDefinition {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Variable: string; StringEquals: string; Next: string }[];
  Catch?: { Next: string }[];
  Retry?: { ErrorEquals: string[] }[];
  SecondsPath?: string;
  Error?: string;
}

let states: Record<string, StateDefinition>;
let definition: Record<string, unknown>;

beforeAll(async () => {
  const [machine] = Object.values(
    (await synthesizedApp('dev'))
      .template('EdgeFleet')
      .findResources('AWS::StepFunctions::StateMachine'),
  );
  // Function and topic ARNs are references until deployment; any ARN-shaped text stands in.
  definition = JSON.parse(
    renderTemplateString(machine!.Properties.DefinitionString)
      .replaceAll('arn:<Ref>:', 'arn:aws:')
      .replaceAll(/<(Fn::GetAtt|Ref)>/g, 'arn:aws:lambda:eu-central-1:111111111111:function:gate'),
  );
  states = definition.States as Record<string, StateDefinition>;
});

/** The states visited from `start` following `Next` until a state without one. */
function path(start: string): string[] {
  const visited = [start];
  while (states[visited.at(-1)!]?.Next !== undefined) visited.push(states[visited.at(-1)!]!.Next!);
  return visited;
}

describe('the rollout gate state machine', () => {
  it('is a valid Amazon States Language definition', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  it('bakes for the given time, then evaluates the targets', () => {
    expect(path(definition.StartAt as string)).toEqual([
      'Start',
      'Bake',
      'EvaluateTargets',
      'Decide',
    ]);
    expect(states.Bake!.SecondsPath).toBe('$.input.bakeSeconds');
  });

  it('waits and evaluates again while the verdict is WAIT', () => {
    const wait = states.Decide!.Choices!.find((choice) => choice.StringEquals === 'WAIT')!;
    expect(path(wait.Next)).toEqual(['Poll', 'EvaluateTargets', 'Decide']);
    expect(states.Poll!.SecondsPath).toBe('$.input.pollSeconds');
  });

  it('records the last good versions and succeeds on PROMOTE', () => {
    const promote = states.Decide!.Choices!.find((choice) => choice.StringEquals === 'PROMOTE')!;
    expect(path(promote.Next)).toEqual(['RecordLastGoodVersions', 'Promoted']);
    expect(states.Promoted!.Type).toBe('Succeed');
  });

  it('rolls back, notifies and fails otherwise, so the pipeline stops before the next wave', () => {
    expect(path(states.Decide!.Default!)).toEqual([
      'RollBackFailingTargets',
      'NotifyRollback',
      'GateFailed',
    ]);
    expect(states.GateFailed).toMatchObject({ Type: 'Fail', Error: 'EdgeRolloutGateFailed' });
  });

  it('still notifies and fails when the rollback itself fails', () => {
    const [onError] = states.RollBackFailingTargets!.Catch!;
    expect(path(onError!.Next)).toEqual(['NotifyRollbackError', 'GateFailed']);
  });

  it('retries an evaluation that failed on a passing AWS error', () => {
    expect(states.EvaluateTargets!.Retry!.flatMap((retry) => retry.ErrorEquals)).toContain(
      'States.TaskFailed',
    );
  });
});
