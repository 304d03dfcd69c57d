/**
 * Tests run against a real Kafka broker and Mosquitto (started per test file); the fault tests
 * keep Kafka down for 30 s, hence the long timeout.
 * @type {import('jest').Config}
 */
module.exports = { ...require('../../jest.base'), testTimeout: 180_000 };
