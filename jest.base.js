/**
 * Jest settings every package shares: tests are transformed by SWC (fast, no type check); each
 * package's `test` script runs `tsc --noEmit` first, so types are still checked once per run with
 * the pinned TypeScript compiler.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
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
