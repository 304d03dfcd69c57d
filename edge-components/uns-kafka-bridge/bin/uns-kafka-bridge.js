#!/usr/bin/env node
// The `uns-kafka-bridge` command from the sources, as ../../uns-validator/bin/uns-validator.js explains.
'use strict';
require('tsx/cjs/api').register();
require('../src/main.ts');
