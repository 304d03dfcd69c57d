/**
 * The value of a required environment variable (set by the CDK construct).
 *
 * @throws Error naming the variable when it is not set.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is not set`);
  }
  return value;
}
