export * from './dashboard-props';
export { UnsDashboards, dashboardsPropsProblems } from './uns-dashboards';
export { PIPELINE_NAMESPACE } from './environment-dashboard';
