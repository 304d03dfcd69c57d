/** @type {import('jest').Config} */
module.exports = { ...require('../jest.base'), testTimeout: 30_000 };
