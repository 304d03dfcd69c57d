/**
 * Jest settings every package shares: tests are transformed by SWC (fast, no type check); each
 * package's `test` script runs `tsc --noEmit` first, so types are still checked once per run with
 * the pinned TypeScript compiler. A package's own globalSetup replaces the run folder's setup, so
 * it calls createRunDirectory (test/support/run-directory.ts) first.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  // One temporary folder per run, removed at its end (test/support/run-directory.ts).
  globalSetup: require.resolve('./test/support/run-directory-setup.ts'),
  globalTeardown: require.resolve('./test/support/run-directory-teardown.ts'),
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
};
