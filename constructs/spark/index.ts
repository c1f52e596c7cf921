export * from './anomaly-detection-job';
