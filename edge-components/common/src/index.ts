export * from './broker-config';
export * from './broker-events';
export * from './http-server';
export * from './layered-config';
export * from './process-lifecycle';
export * from './greengrass-configuration';
export * from './query-parameters';
export * from './memory-reclaimer';
