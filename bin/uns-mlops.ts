#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildUnsMlopsApp } from '../lib/app';
import { EnvironmentConfigError } from '../lib/config/resolve';
import { StaleComponentVersionError } from '../lib/delivery/versions';

const app = new App();
try {
  buildUnsMlopsApp(app);
} catch (error) {
  if (!(error instanceof EnvironmentConfigError || error instanceof StaleComponentVersionError)) {
    throw error;
  }
  console.error(error.message);
  process.exit(1);
}
