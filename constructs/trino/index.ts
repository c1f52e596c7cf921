export * from './trino-catalog';
export * from './trino-cluster';
export * from './trino-sql-job';
