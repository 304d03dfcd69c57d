export * from './model-drift-monitor';
export * from './model-drift-monitor-props';
export * from './validate-props';
