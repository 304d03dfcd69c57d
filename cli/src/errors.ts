/** Exit codes of every command. */
export const EXIT = {
  /** Done; for `status`, everything is green. */
  ok: 0,
  /** The command failed, an AWS call was refused, or `status` found something red. */
  failure: 1,
  /** The command line itself is wrong: unknown command or option, missing argument. */
  usage: 2,
} as const;

/**
 * A failure the operator can act on: what went wrong, and the fix in one line. The command line
 * prints both and exits with `exitCode`; no stack trace.
 */
export class CliError extends Error {
  constructor(
    message: string,
    /** What to do about it, one line. */
    readonly fix: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A wrong command line; exits with {@link EXIT.usage}. */
export class UsageError extends CliError {
  constructor(message: string, fix: string) {
    super(message, fix, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** Where the command was pointed, for the messages of {@link explainAwsError}. */
export interface ErrorTarget {
  readonly environment: string;
  readonly account: string;
  readonly region: string;
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const INVALID_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
]);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
]);

/**
 * Turns the AWS SDK errors an operator meets first (no credentials, expired or wrong ones, access
 * denied, a region that does not exist) into a {@link CliError} with the fix; anything else is
 * returned as it is.
 */
export function explainAwsError(error: unknown, target: ErrorTarget): unknown {
  if (!(error instanceof Error) || error instanceof CliError) return error;
  const code = (error as { code?: unknown }).code;
  if (error.name === 'CredentialsProviderError') {
    return new CliError(
      `No AWS credentials found for environment "${target.environment}" (account ${target.account}).`,
      'Sign in first, e.g. `aws sso login --profile <profile>` and `export AWS_PROFILE=<profile>`.',
    );
  }
  if (EXPIRED.has(error.name)) {
    return new CliError(
      `The AWS credentials have expired: ${error.message}`,
      'Sign in again (`aws sso login --profile <profile>`) or refresh the exported keys.',
    );
  }
  if (INVALID_CREDENTIALS.has(error.name)) {
    return new CliError(
      `AWS rejected the credentials in ${target.region}: ${error.message}`,
      `Use credentials of account ${target.account} (check AWS_PROFILE and any AWS_ACCESS_KEY_ID exported).`,
    );
  }
  if (DENIED.has(error.name)) {
    return new CliError(
      `Access denied: ${error.message}`,
      `Use a role of account ${target.account} allowed to operate uns-mlops (see cli/README.md, Permissions).`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new CliError(
      `Cannot reach AWS in region "${target.region}": ${error.message}`,
      'Check the network, and that --region (or the environment in lib/config/environments.ts) names a real region.',
    );
  }
  return error;
}
