/**
 * PGlite imports Node modules dynamically, which Jest's sandbox allows only with
 * --experimental-vm-modules: the `test:jest` script sets it. Two test files at a time even on two
 * cores (Jest's default would be one): most of their time is spent waiting on the broker and the
 * store, and each file has brokers and ports of its own.
 * @type {import('jest').Config}
 */
module.exports = { ...require('../../jest.base'), testTimeout: 60_000, maxWorkers: 2 };
