export * from './s3-connection';
export * from './s3-credentials-class';
export * from './s3-data';
