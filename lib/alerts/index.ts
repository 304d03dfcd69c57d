export * from './alarms';
export * from './alert-settings';
export * from './environment-alerts';
export * from './event-failure-alarms';
