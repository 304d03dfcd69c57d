export * from './compliance-api';
export * from './compliance-api-props';
export * from './compliance-users';
export * from './dashboard-app';
export * from './hosted-dashboard';
export { complianceApiSettingsProblems } from './validate-props';
