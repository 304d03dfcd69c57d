/** The part of asl-validator's API the tests use (the package ships no type declarations). */
declare module 'asl-validator' {
  interface AslValidation {
    readonly isValid: boolean;
    readonly errorsText: (separator?: string) => string;
  }
  export default function aslValidator(definition: unknown): AslValidation;
}
