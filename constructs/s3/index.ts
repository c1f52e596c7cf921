export * from './s3-connection';
export * from './s3-credentials-class';
