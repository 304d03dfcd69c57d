#!/usr/bin/env node
/**
 * The `uns-validator` command straight from the sources, without a build: registers tsx (a root
 * devDependency) for the TypeScript sources, then runs src/main.ts. Node resolves the link in
 * node_modules/.bin to this file, so both requires resolve from here. The Greengrass artifact
 * bundles src/main.ts instead and does not use this file.
 */
'use strict';
require('tsx/cjs/api').register();
require('../src/main.ts');
