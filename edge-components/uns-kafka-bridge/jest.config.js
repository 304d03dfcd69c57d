/**
 * Tests run against a real Kafka broker and Mosquitto (started per test file); the fault tests
 * keep Kafka down for 30 s, hence the long timeout. Two test files at a time even on two cores
 * (Jest's default would be one): most of their time is spent waiting on the brokers, and each file
 * has brokers and ports of its own.
 * @type {import('jest').Config}
 */
module.exports = { ...require('../../jest.base'), testTimeout: 180_000, maxWorkers: 2 };
