export * from './mc-client';
export * from './minio-buckets';
export * from './minio-server';
export * from './taxi-data-load';
