const base = require('../jest.base');

/**
 * aedes is an ES module, loaded with a dynamic `import()` that must stay one (`ignoreDynamic`);
 * the `test` script sets --experimental-vm-modules so Jest can run it, and PGlite needs it too.
 * @type {import('jest').Config}
 */
module.exports = {
  ...base,
  testTimeout: 180_000,
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs', ignoreDynamic: true },
      },
    ],
  },
};
