import {
  GetParameterCommand,
  type GetParameterRequest,
  ParameterNotFound,
  PutParameterCommand,
  type PutParameterRequest,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';

export const ssm = mockClient(SSMClient);

/** An in-memory SSM Parameter Store behind the mocked SSM client. */
export class FakeParameterStore {
  readonly values = new Map<string, string>();

  constructor() {
    ssm.reset();
    ssm.on(PutParameterCommand).callsFake(({ Name = '', Value = '' }: PutParameterRequest) => {
      this.values.set(Name, Value);
      return { Version: 1, Tier: 'Standard' };
    });
    ssm.on(GetParameterCommand).callsFake(({ Name = '' }: GetParameterRequest) => {
      const Value = this.values.get(Name);
      if (Value === undefined) {
        throw new ParameterNotFound({
          message: 'ParameterNotFound',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return { Parameter: { Name, Type: 'String', Value, Version: 1 } };
    });
  }
}
