/**
 * The suite needs a model bundle trained by the ML pipeline's local entry point: the global setup
 * produces it once into a cache keyed by its inputs' hash (see test/fixtures/model-fixture.ts).
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('../../jest.base'),
  globalSetup: '<rootDir>/test/fixtures/global-setup.ts',
  testTimeout: 60_000,
};
