export * from './mc-client';
export * from './minio-buckets';
export * from './minio-server';
export * from './s3-file-load';
