export * from './spark-job';
