export * from './ml-pipeline';
export * from './ml-pipeline-props';
export * from './validate-props';
export * from './anomaly-pipeline';
export * from './images';
export { StepCode, type StepCodeProps } from './step-code';
export { deterministicTarGz, type TarballOptions } from './tarball';
export type { MlPipelineRoles } from './roles';
