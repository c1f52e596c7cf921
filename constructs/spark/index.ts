export * from './anomaly-detection-job';
export * from './anomaly-dashboard';
