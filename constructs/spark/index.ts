export * from './anomaly-detection-job';
export * from './anomaly-dashboard';
export * from './spark-job';
