export * from './trino-catalog';
export * from './trino-cluster';
