/**
 * The Kafka tests start a real broker (one JVM per test file), hence the long timeout.
 * @type {import('jest').Config}
 */
module.exports = { ...require('../../jest.base'), testTimeout: 120_000 };
