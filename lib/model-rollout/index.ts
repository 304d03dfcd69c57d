export * from './model-rollout';
export * from './model-rollout-props';
export * from './shadow-comparison-query';
export * from './validate-props';
