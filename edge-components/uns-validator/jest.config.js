/**
 * Same transform as the root: SWC for speed, types checked once by `tsc --noEmit`.
 * PGlite imports Node modules dynamically, which Jest's sandbox allows only with
 * --experimental-vm-modules: the `test:jest` script sets it.
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
  testTimeout: 60_000,
};
