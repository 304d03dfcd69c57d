/**
 * The CDK app's tests (workspaces have their own config on the same base; the device suite in
 * test/device, the edge fuzz run in test/fuzz and the compliance end-to-end test in
 * test/compliance-e2e are workspaces of their own). @type {import('jest').Config}
 */
module.exports = {
  ...require('./jest.base'),
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/test/device/',
    '<rootDir>/test/fuzz/',
    '<rootDir>/test/compliance-e2e/',
  ],
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
  // One worker per core (jest's default leaves one idle): the CDK tests wait on child processes
  // (cdk synth, cfn-lint, artifact builds) about as much as they compute.
  maxWorkers: '100%',
  globalSetup: '<rootDir>/test/support/artifact-cache.ts',
  testTimeout: 120_000,
};
