/**
 * The CDK app's tests (workspaces have their own config on the same base; the device suite in
 * test/device is a workspace of its own). @type {import('jest').Config}
 */
module.exports = {
  ...require('./jest.base'),
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/device/'],
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
  globalSetup: '<rootDir>/test/support/artifact-cache.ts',
  testTimeout: 120_000,
};
