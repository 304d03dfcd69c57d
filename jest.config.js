/** The CDK app's tests (workspaces have their own config on the same base). @type {import('jest').Config} */
module.exports = {
  ...require('./jest.base'),
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
  testTimeout: 120_000,
};
