#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildUnsMlopsApp } from '../lib/app';
import { EnvironmentConfigError } from '../lib/config/resolve';

const app = new App();
try {
  buildUnsMlopsApp(app);
} catch (error) {
  if (!(error instanceof EnvironmentConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
