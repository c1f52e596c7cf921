export * from './helm-chart';
export * from './expose-values';
export * from './render-chart';
