/**
 * The small fuzz run starts Mosquitto, Kafka (a JVM: tens of seconds on a busy machine) and the
 * three components as processes of their own, hence the long timeout.
 * @type {import('jest').Config}
 */
module.exports = { ...require('../../jest.base'), testTimeout: 300_000 };
