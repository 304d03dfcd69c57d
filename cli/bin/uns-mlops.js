#!/usr/bin/env node
const { env } = require('node:process');

// The AWS SDK warns on every run under Node.js 20 (which the repository's engines allow) that its
// versions from 2027 need Node.js 22: eight lines before each answer. Its own switch turns that
// off, unless the operator set it.
env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The command line is TypeScript that imports the repository's configuration (lib/config), so it
// runs through tsx's require hook rather than a build step.
require('tsx/cjs');
require('../src/main.ts');
