import type { Get } from './expressions';
import { asJsonText, asText, type TextValue } from './expressions';

/** The types of pipeline parameters and the literal each holds. */
export interface ParameterTypes {
  readonly String: string;
  readonly Integer: number;
  readonly Float: number;
  readonly Boolean: boolean;
}
export type ParameterType = keyof ParameterTypes;

/** A parameter as the definition declares it. */
export interface ParameterDefinition {
  readonly Name: string;
  readonly Type: ParameterType;
  readonly DefaultValue: string | number | boolean;
}

const PARAMETER_NAME = /^[A-Za-z0-9\-_]{1,64}$/;

/**
 * A pipeline parameter: declared once in the definition, referenced by steps with {@link ref},
 * set per execution (`--pipeline-parameters Name=...,Value=...`) or left at its default.
 */
export class PipelineParameter<T extends ParameterType = ParameterType> {
  /** `{"Get": "Parameters.<name>"}` */
  readonly ref: Get;

  constructor(
    readonly name: string,
    readonly type: T,
    readonly defaultValue: ParameterTypes[T],
  ) {
    if (!PARAMETER_NAME.test(name)) {
      throw new Error(
        `Pipeline parameter name ${JSON.stringify(name)} must match ${PARAMETER_NAME}`,
      );
    }
    if (type === 'Integer' && !Number.isInteger(defaultValue)) {
      throw new Error(
        `Pipeline parameter ${name} is an Integer; its default ${String(defaultValue)} is not`,
      );
    }
    this.ref = { Get: `Parameters.${name}` };
  }

  /** The parameter's value as text, e.g. for a container argument. */
  asText(): TextValue {
    return asText(this.ref);
  }

  /** The parameter's value JSON-encoded as text, as framework containers read hyperparameters. */
  asHyperparameter(): TextValue {
    return asJsonText(this.ref, this.type === 'String' ? 'string' : 'number');
  }

  toJson(): ParameterDefinition {
    return { Name: this.name, Type: this.type, DefaultValue: this.defaultValue };
  }
}

/** Typed constructors of pipeline parameters. */
export const Parameter = {
  string: (name: string, defaultValue: string) =>
    new PipelineParameter(name, 'String', defaultValue),
  integer: (name: string, defaultValue: number) =>
    new PipelineParameter(name, 'Integer', defaultValue),
  float: (name: string, defaultValue: number) => new PipelineParameter(name, 'Float', defaultValue),
} as const;
