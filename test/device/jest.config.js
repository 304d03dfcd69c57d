/**
 * The device suite drives a real Greengrass nucleus: each deployment takes about 30 s, a failed
 * one with its rollback up to two minutes, hence the long timeout.
 * @type {import('jest').Config}
 */
module.exports = { ...require('../../jest.base'), testTimeout: 300_000 };
