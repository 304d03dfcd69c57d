/**
 * The test starts Mosquitto, Kafka (a JVM: tens of seconds on a busy machine), PostgreSQL, three
 * components as processes of their own, a dashboard build and Chromium, hence the long timeout.
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('../../jest.base'),
  setupFiles: ['<rootDir>/test/functions-environment.ts'],
  testTimeout: 300_000,
};
