const base = require('../jest.base');

/**
 * aedes is an ES module, loaded with a dynamic `import()` that must stay one (`ignoreDynamic`);
 * the `test` script sets --experimental-vm-modules so Jest can run it, and PGlite needs it too.
 * @type {import('jest').Config}
 */
module.exports = {
  ...base,
  testTimeout: 180_000,
  // The two browser tests run side by side: the drift loop's mostly waits on the simulator's real
  // time (minutes of drift and recording), so sharing the cores costs the other little.
  maxWorkers: 2,
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
