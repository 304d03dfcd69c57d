/**
 * PGlite imports Node modules dynamically, which Jest's sandbox allows only with
 * --experimental-vm-modules: the `test:jest` script sets it.
 * @type {import('jest').Config}
 */
module.exports = { ...require('../../jest.base'), testTimeout: 60_000 };
